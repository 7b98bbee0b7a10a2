package dev.quorum.statemachine;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Deliberate bugs that exist only so the chaos suite can prove its checks catch them. All are off
 * unless a chaos run turns them on, either in this JVM ({@link #enable}) or for a node process with
 * the system property {@value #PROPERTY} (a comma-separated list of names). Never enable them in
 * production: each one breaks a guarantee on purpose.
 */
public final class SeededBugs {
  /** The system property a node process reads its seeded bugs from. */
  public static final String PROPERTY = "quorum.seeded-bugs";

  /** The bugs, named as {@code scripts/chaos --seeded-bug} spells them. */
  public enum Bug {
    /** The leader answers a produce as soon as it submitted the entry, with a guessed offset. */
    ACK_BEFORE_COMMIT("ack-before-commit", "answer a produce before its Raft entry is committed"),
    /** A retried batch that the partition already holds is appended a second time. */
    SKIP_DEDUPE("skip-dedupe", "append a producer's retried batch again instead of deduplicating"),
    /** A committing transaction's coordinator skips the marker of its last partition. */
    DROP_TXN_MARKER(
        "drop-txn-marker", "never write the commit marker of a transaction's last partition"),
    /**
     * A snapshot is labelled with the applied index but holds only what RocksDB had flushed, so
     * after a crash Ratis resumes past entries the state machine lost.
     */
    UNFLUSHED_SNAPSHOT_INDEX(
        "unflushed-snapshot-index",
        "report the applied index as the snapshot index without flushing RocksDB first");

    private final String cliName;
    private final String description;

    Bug(String cliName, String description) {
      this.cliName = cliName;
      this.description = description;
    }

    public String cliName() {
      return cliName;
    }

    public String description() {
      return description;
    }

    public static Bug byName(String name) {
      for (Bug bug : values()) {
        if (bug.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
          return bug;
        }
      }
      throw new IllegalArgumentException(
          "unknown seeded bug '"
              + name
              + "'; known: "
              + Arrays.stream(values()).map(Bug::cliName).collect(Collectors.joining(", ")));
    }
  }

  private static volatile Set<Bug> enabled = fromProperty(System.getProperty(PROPERTY, ""));

  private SeededBugs() {}

  public static boolean isOn(Bug bug) {
    Set<Bug> current = enabled;
    return !current.isEmpty() && current.contains(bug);
  }

  /** Turns on exactly {@code bugs} for every node in this JVM (empty turns all off). */
  public static void enable(Set<Bug> bugs) {
    enabled = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
  }

  static Set<Bug> fromProperty(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(value.split(",")).map(Bug::byName).collect(Collectors.toUnmodifiableSet());
  }
}
