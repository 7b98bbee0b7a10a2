package dev.quorum.client;

import dev.quorum.client.internal.QuorumProducer;
import java.time.Duration;
import java.util.Map;
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
   * Queues a record for sending. Blocks only while the records already pending fill {@link
   * ProducerConfig#bufferMemory()}, for up to {@link ProducerConfig#maxBlock()}; then the returned
   * future fails with {@link BufferExhaustedException}. A record that could never fit fails with
   * {@link RecordTooLargeException}.
   *
   * @return completes with where the record was stored, or exceptionally with a {@link
   *     BrokerException} (for example {@link UnknownTopicException})
   * @throws IllegalStateException if the producer is closed
   */
  CompletableFuture<RecordMetadata> send(ProducerRecord record);

  /** Sends everything queued now without waiting for linger, and waits until it all completed. */
  void flush();

  /**
   * Registers {@link ProducerConfig#transactionalId()} with its coordinator: fences every earlier
   * producer with the same id and aborts (or finishes) the transaction it left. Call once, before
   * the first transaction; blocks up to {@link ProducerConfig#maxBlock()}.
   *
   * @throws IllegalStateException without a transactional id, or when called twice
   * @throws ProducerFencedException if a newer producer with the same id initialised meanwhile
   */
  void initTransactions();

  /**
   * Starts a transaction: records sent until {@link #commitTransaction()} or {@link
   * #abortTransaction()} become visible to read_committed consumers all together, or never.
   *
   * @throws IllegalStateException before {@link #initTransactions()} or inside a transaction
   */
  void beginTransaction();

  /**
   * Commits the consumer group's offsets as part of the transaction: they count if and only if the
   * transaction commits, which makes a consume-transform-produce loop exactly-once.
   *
   * @param offsets the next offset to consume, per partition
   * @throws FencedMemberException if the group member no longer owns one of the partitions
   */
  void sendOffsetsToTransaction(Map<TopicPartition, Long> offsets, ConsumerGroupMetadata group);

  /**
   * Flushes, then commits the transaction: answered once every partition of the transaction has its
   * commit marker.
   *
   * @throws TransactionAbortedException if a record of the transaction failed to send (the
   *     transaction must be aborted), or the coordinator aborted it after its timeout
   * @throws ProducerFencedException if a newer producer with the same transactional id exists
   */
  void commitTransaction();

  /**
   * Waits for records in flight, then aborts the transaction: read_committed consumers never see
   * its records, and its group offsets are not committed.
   */
  void abortTransaction();

  /**
   * Exactly-once for a consume-transform-produce step whose output goes to one partition, in one
   * log entry and without a transaction: appends {@code records} to {@code output} and stores
   * there, in the same entry, {@code owner}'s next input offsets (owner: for example the consumer
   * group). Nothing is appended, and {@link SourceOffsetConflictException} is thrown, unless every
   * stored offset is still the {@link SourceOffsetUpdate#expected()} one, so of two instances that
   * processed the same input (a zombie and its replacement) only one appends its output. Resume
   * from {@link #sourceOffsets} (for example in {@link RebalanceListener#onPartitionsAssigned}).
   * Retried through leader changes up to {@link ProducerConfig#deliveryTimeout()}; a retry never
   * appends twice, but after a lost reply the write may have been appended even though the call
   * fails ({@link BrokerException#indeterminate()}): the stored offsets then tell. Not inside a
   * transaction (its records would not be part of it); blocks.
   *
   * @param records all for {@code output} (records without a partition go there)
   * @return where the first record was stored; the others follow it
   */
  RecordMetadata sendWithOffsets(
      TopicPartition output,
      java.util.List<ProducerRecord> records,
      String owner,
      Map<TopicPartition, SourceOffsetUpdate> offsets);

  /**
   * The next input offsets {@code owner} stored in {@code output} with {@link #sendWithOffsets}; a
   * partition is missing when none was stored (expect -1 for it then).
   */
  Map<TopicPartition, Long> sourceOffsets(TopicPartition output, String owner);

  /** Flushes, then stops the threads and closes the connections. Idempotent. */
  @Override
  void close();

  /**
   * Like {@link #close()}, but waits at most {@code timeout} for pending records; those still
   * pending then fail with a {@link BrokerException}.
   */
  void close(Duration timeout);
}
