package dev.quorum.client;

/**
 * Where a consumer starts reading a partition that it has no position for, or whose position fell
 * outside the log.
 */
public enum OffsetResetPolicy {
  /** The first offset still in the log. */
  EARLIEST,
  /** The offset after the last committed record: only new records are read. */
  LATEST,
  /** No reset: the consumer throws {@link OffsetOutOfRangeException}. */
  NONE
}
