package dev.quorum.statemachine;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** What makes a topic request valid; the messages name what was wrong. */
public final class TopicRules {
  /**
   * A produce batch travels as one Raft entry, which Ratis caps (see the node's Raft settings).
   * Ratis allocates a direct write buffer of the largest entry for every partition replica, so this
   * ceiling is what lets a node host 1,000 partition replicas in well under 2 GiB.
   */
  public static final int MAX_MESSAGE_BYTES_LIMIT = 512 << 10;

  public static final int DEFAULT_MAX_MESSAGE_BYTES = MAX_MESSAGE_BYTES_LIMIT;

  public static final int MAX_PARTITIONS = 10_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private TopicRules() {}

  /** Topics the nodes create for themselves start with this; users cannot create or delete them. */
  public static final String INTERNAL_PREFIX = "__";

  /** Null when valid for an internal topic, else why not. */
  public static @Nullable String checkInternalName(String name) {
    return name.startsWith(INTERNAL_PREFIX) && NAME.matcher(name).matches()
        ? null
        : "'" + name + "' is not an internal topic name";
  }

  /** Null when valid, else why not. */
  public static @Nullable String checkName(String name) {
    if (name.startsWith(INTERNAL_PREFIX)) {
      return "topic names starting with '" + INTERNAL_PREFIX + "' are reserved for internal topics";
    }
    if (name.isEmpty()) {
      return "topic name is empty";
    }
    if (name.equals(".") || name.equals("..")) {
      return "topic name cannot be '" + name + "'";
    }
    if (!NAME.matcher(name).matches()) {
      return "topic name '"
          + name
          + "' is invalid: use 1 to 249 characters from letters, digits, '.', '_' and '-'";
    }
    return null;
  }

  public static @Nullable String checkPartitions(int partitions) {
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      return "partitions must be between 1 and " + MAX_PARTITIONS + ", got " + partitions;
    }
    return null;
  }

  public static @Nullable String checkMaxMessageBytes(int bytes) {
    if (bytes < 1 || bytes > MAX_MESSAGE_BYTES_LIMIT) {
      return "max message bytes must be between 1 and "
          + MAX_MESSAGE_BYTES_LIMIT
          + ", got "
          + bytes;
    }
    return null;
  }
}
