package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.PartitionProduceResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Records of one partition sent together and retried together, so a retry never reorders them with
 * later records of the partition. Owned by the sender thread.
 *
 * <p>The producer id, epoch and base sequence are fixed when the batch is drained: every attempt
 * resends exactly them and the same records, which is what lets the partition recognise a retry of
 * a batch it already appended.
 */
final class ProducerBatch {
  final TopicPartition partition;
  final List<PendingRecord> records;
  final long deadlineNanos;

  /** 0 when the producer is not idempotent. */
  final long producerId;

  final int producerEpoch;
  final int baseSequence;
  int attempts;
  boolean inFlight;
  long retryAtNanos;
  boolean indeterminate;
  BrokerException lastError;

  /** The partition's acknowledgement, kept until every earlier batch of it has completed. */
  @Nullable PartitionProduceResult result;

  /**
   * Whether an earlier batch of the partition was unacknowledged when this attempt was sent: an
   * OUT_OF_ORDER_SEQUENCE answer may then only mean the node saw this attempt first, even if the
   * earlier batch has been acknowledged by the time the answer arrives.
   */
  boolean earlierUnacknowledgedAtSend;

  /** The node its latest attempt went to. */
  int sentTo;

  /** Whether it already skipped its backoff once because its partition's leader moved. */
  boolean resentToNewLeader;

  /** Completed (its records have their outcome) or failed: it takes no more answers. */
  boolean finished;

  ProducerBatch(
      TopicPartition partition,
      List<PendingRecord> records,
      long deliveryTimeoutNanos,
      long producerId,
      int producerEpoch,
      int baseSequence) {
    this.partition = partition;
    this.records = List.copyOf(records);
    long oldest = Long.MAX_VALUE;
    for (PendingRecord r : records) {
      oldest = Math.min(oldest, r.createdNanos);
    }
    this.deadlineNanos = oldest + deliveryTimeoutNanos;
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
  }

  /** Failed retriably and not yet resent. */
  boolean waitingForRetry() {
    return !inFlight && result == null && !finished;
  }

  boolean done() {
    return finished;
  }
}
