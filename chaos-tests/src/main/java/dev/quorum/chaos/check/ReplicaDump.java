package dev.quorum.chaos.check;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One replica of a partition as read from its node's disk after the try: the log's extent and every
 * stored batch, or why it could not be read.
 *
 * @param start the log start offset
 * @param end the offset after the last stored record
 * @param batches the stored batches in offset order
 * @param error why the replica could not be read (then the rest is empty), or null
 */
public record ReplicaDump(long start, long end, List<StoredBatch> batches, @Nullable String error) {
  public ReplicaDump {
    batches = List.copyOf(batches);
  }

  public static ReplicaDump unreadable(String why) {
    return new ReplicaDump(0, 0, List.of(), why);
  }

  /**
   * One stored batch, with the producer header it was appended with.
   *
   * @param producerId 0 for a producer without idempotence
   * @param aborted an abort marker covers it (read_committed readers skip it)
   */
  public record StoredBatch(
      long baseOffset,
      int count,
      long producerId,
      int epoch,
      int baseSequence,
      boolean transactional,
      boolean aborted,
      List<String> values) {
    public StoredBatch {
      values = List.copyOf(values);
    }

    /** The sequence number of the batch's last record. */
    public long lastSequence() {
      return (long) baseSequence + count - 1;
    }

    /**
     * Whether two replicas hold the same data here: everything but the abort flag, which a replica
     * learns only when it applies the marker, after the batch.
     */
    boolean sameData(StoredBatch other) {
      return baseOffset == other.baseOffset
          && count == other.count
          && producerId == other.producerId
          && epoch == other.epoch
          && baseSequence == other.baseSequence
          && transactional == other.transactional
          && values.equals(other.values);
    }
  }
}
