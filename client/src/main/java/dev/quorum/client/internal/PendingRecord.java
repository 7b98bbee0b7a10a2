package dev.quorum.client.internal;

import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.Record;
import java.util.concurrent.CompletableFuture;

/**
 * A record between {@code send} and its acknowledgement. Owned by the sender thread once queued.
 */
final class PendingRecord {
  final ProducerRecord record;
  final Record wire;
  final int size;
  final long createdNanos;
  final CompletableFuture<RecordMetadata> future;
  TopicPartition partition;
  // Set before the record is queued; what flush() counts it in.
  FlushTracker.Generation flushGeneration;

  PendingRecord(
      ProducerRecord record, long createdNanos, CompletableFuture<RecordMetadata> future) {
    this.record = record;
    this.wire = WireRecords.toWire(record);
    this.size = wire.getSerializedSize();
    this.createdNanos = createdNanos;
    this.future = future;
  }
}
