package dev.quorum.client;

import java.time.Instant;
import java.util.Objects;

/**
 * Where {@link Admin#resetOffsets} moves a group's committed offsets: the start or end of each
 * partition, a fixed offset (clamped to the partition's current range), or the first record
 * appended at or after an instant (the end offset when there is none). Immutable.
 */
public final class OffsetResetSpec {
  /** The kinds of reset target. */
  public enum Kind {
    EARLIEST,
    LATEST,
    OFFSET,
    DATETIME
  }

  private final Kind kind;
  private final long offset;
  private final Instant datetime;

  private OffsetResetSpec(Kind kind, long offset, Instant datetime) {
    this.kind = kind;
    this.offset = offset;
    this.datetime = datetime;
  }

  public static OffsetResetSpec earliest() {
    return new OffsetResetSpec(Kind.EARLIEST, -1, null);
  }

  public static OffsetResetSpec latest() {
    return new OffsetResetSpec(Kind.LATEST, -1, null);
  }

  /**
   * A fixed offset for every partition of the topic.
   *
   * @throws IllegalArgumentException if {@code offset} is negative
   */
  public static OffsetResetSpec toOffset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    return new OffsetResetSpec(Kind.OFFSET, offset, null);
  }

  /** The first offset whose append time is at or after {@code instant}, else the end offset. */
  public static OffsetResetSpec toDatetime(Instant instant) {
    return new OffsetResetSpec(Kind.DATETIME, -1, Objects.requireNonNull(instant, "instant"));
  }

  public Kind kind() {
    return kind;
  }

  /** The offset for {@link Kind#OFFSET}; -1 otherwise. */
  public long offset() {
    return offset;
  }

  /** The instant for {@link Kind#DATETIME}; null otherwise. */
  public Instant datetime() {
    return datetime;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OffsetResetSpec s
        && s.kind == kind
        && s.offset == offset
        && Objects.equals(s.datetime, datetime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, offset, datetime);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case EARLIEST -> "earliest";
      case LATEST -> "latest";
      case OFFSET -> "offset " + offset;
      case DATETIME -> "datetime " + datetime;
    };
  }
}
