package dev.quorum.client;

import dev.quorum.client.internal.QuorumConsumer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads records from manually assigned partitions, fetching from each partition's leader.
 *
 * <p><b>Threading.</b> Not thread-safe, like Kafka's consumer: use it from one thread at a time.
 * It starts no thread of its own; {@link #poll(Duration)} does the fetching.
 *
 * <p><b>Failures.</b> Leader changes and unreachable nodes are handled inside {@code poll} by
 * refreshing metadata and retrying; {@code poll} then simply returns fewer records. Errors that a
 * retry cannot fix ({@link UnknownTopicException}, {@link OffsetOutOfRangeException} under {@link
 * OffsetResetPolicy#NONE}) are thrown. Offset look-ups throw a {@link BrokerException} when they
 * do not succeed within {@link ConsumerConfig#requestTimeout()}.
 *
 * <pre>{@code
 * try (Consumer consumer = Consumer.create(config)) {
 *   consumer.assign(List.of(new TopicPartition("orders", 0)));
 *   consumer.seekToBeginning(consumer.assignment());
 *   for (ConsumerRecord r : consumer.poll(Duration.ofSeconds(1))) { ... }
 * }
 * }</pre>
 */
public interface Consumer extends AutoCloseable {

  static Consumer create(ConsumerConfig config) {
    return QuorumConsumer.create(config);
  }

  /**
   * Replaces the assignment. Positions of partitions that stay assigned are kept; new partitions
   * start according to {@link ConsumerConfig#autoOffsetReset()} unless {@link #seek}ed.
   */
  void assign(Collection<TopicPartition> partitions);

  Set<TopicPartition> assignment();

  /**
   * Makes the next poll of {@code partition} start at {@code offset}.
   *
   * @throws IllegalStateException if the partition is not assigned
   */
  void seek(TopicPartition partition, long offset);

  void seekToBeginning(Collection<TopicPartition> partitions);

  void seekToEnd(Collection<TopicPartition> partitions);

  /** The offset of the next record to return, resolving a pending reset if needed. */
  long position(TopicPartition partition);

  /**
   * Returns the next records of the assigned partitions, waiting up to {@code timeout} for some.
   * Records are in offset order per partition; at most {@link ConsumerConfig#maxPollRecords()}.
   */
  List<ConsumerRecord> poll(Duration timeout);

  /** The offset after the last committed record of each partition. */
  Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions);

  /** The first offset still in the log of each partition. */
  Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions);

  /**
   * For each partition, the first offset whose timestamp is at or after the given epoch-millis
   * time; partitions with no such record are absent from the result.
   */
  Map<TopicPartition, Long> offsetsForTimes(Map<TopicPartition, Long> timestamps);

  /**
   * The number of partitions of {@code topic}.
   *
   * @throws UnknownTopicException if the topic does not exist
   */
  int partitionCount(String topic);

  @Override
  void close();
}
