package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.TopicPartition;
import java.util.List;

/**
 * Records of one partition sent together and retried together, so a retry never reorders them
 * with later records of the partition. Owned by the sender thread.
 */
final class ProducerBatch {
  final TopicPartition partition;
  final List<PendingRecord> records;
  final long deadlineNanos;
  int attempts;
  boolean inFlight;
  long retryAtNanos;
  boolean indeterminate;
  BrokerException lastError;

  ProducerBatch(TopicPartition partition, List<PendingRecord> records, long deliveryTimeoutNanos) {
    this.partition = partition;
    this.records = List.copyOf(records);
    long oldest = Long.MAX_VALUE;
    for (PendingRecord r : records) {
      oldest = Math.min(oldest, r.createdNanos);
    }
    this.deadlineNanos = oldest + deliveryTimeoutNanos;
  }
}
