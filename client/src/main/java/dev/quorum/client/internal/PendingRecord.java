package dev.quorum.client.internal;

import dev.quorum.client.ProducerConfig;
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
  // Bytes of ProducerConfig.bufferMemory this record holds until its outcome is handed over.
  final int bufferCost;
  final long createdNanos;
  final CompletableFuture<RecordMetadata> future;
  TopicPartition partition;
  // Set before the record is queued; what flush() counts it in.
  FlushTracker.Generation flushGeneration;

  PendingRecord(
      ProducerRecord record,
      Record wire,
      long createdNanos,
      CompletableFuture<RecordMetadata> future) {
    this.record = record;
    this.wire = wire;
    this.size = wire.getSerializedSize();
    this.bufferCost = bufferCost(wire);
    this.createdNanos = createdNanos;
    this.future = future;
  }

  static int bufferCost(Record wire) {
    return wire.getSerializedSize() + ProducerConfig.RECORD_OVERHEAD;
  }
}
