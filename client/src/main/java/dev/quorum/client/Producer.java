package dev.quorum.client;

import dev.quorum.client.internal.QuorumProducer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends records to topics, batching them per partition and sending them to each partition's leader.
 *
 * <p><b>Threading.</b> Thread-safe: share one producer between threads. A background thread named
 * {@code quorum-producer-sender} does the I/O. Returned futures complete on one producer-owned
 * thread named {@code quorum-producer-callback}, in acknowledgement order per partition; keep
 * callbacks short and never call {@link #flush()} or {@link #close()} from them.
 *
 * <p><b>Ordering and retries.</b> At most one batch per partition is in flight, so records sent to
 * one partition from one thread are stored in send order even when retried. Retriable errors (no
 * leader, leader moved, timeouts, unreachable node) are retried with exponential backoff until
 * {@link ProducerConfig#deliveryTimeout()}.
 *
 * <p><b>Failures.</b> Futures complete exceptionally with a {@link BrokerException}; when a write
 * may have happened despite the failure, {@link BrokerException#indeterminate()} is true.
 *
 * <pre>{@code
 * try (Producer producer = Producer.create(config)) {
 *   RecordMetadata m = producer.send(ProducerRecord.of("orders", key, value)).join();
 * }
 * }</pre>
 */
public interface Producer extends AutoCloseable {

  /** Creates a producer; it connects lazily, so this does not fail when no node is up. */
  static Producer create(ProducerConfig config) {
    return QuorumProducer.create(config);
  }

  /**
   * Queues a record for sending. Blocks only when {@link ProducerConfig#bufferRecords()} records
   * are already pending, for up to {@link ProducerConfig#maxBlock()}; then the returned future
   * fails with {@link BufferExhaustedException}.
   *
   * @return completes with where the record was stored, or exceptionally with a {@link
   *     BrokerException} (for example {@link UnknownTopicException})
   * @throws IllegalStateException if the producer is closed
   */
  CompletableFuture<RecordMetadata> send(ProducerRecord record);

  /** Sends everything queued now without waiting for linger, and waits until it all completed. */
  void flush();

  /** Flushes, then stops the threads and closes the connections. Idempotent. */
  @Override
  void close();

  /**
   * Like {@link #close()}, but waits at most {@code timeout} for pending records; those still
   * pending then fail with a {@link BrokerException}.
   */
  void close(Duration timeout);
}
