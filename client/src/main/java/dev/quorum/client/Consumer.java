package dev.quorum.client;

import dev.quorum.client.internal.QuorumConsumer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Reads records from partitions, fetching from each partition's leader. The partitions are either
 * chosen by the application ({@link #assign}) or handed out by the group's coordinator ({@link
 * #subscribe}, which needs {@link ConsumerConfig#groupId()}); the two modes exclude each other.
 *
 * <p><b>Threading.</b> Not thread-safe, like Kafka's consumer: use it from one thread at a time.
 * {@link #poll(Duration)} does the fetching and, when subscribed, drives the group membership:
 * heartbeats, rebalances (calling the {@link RebalanceListener} on the polling thread) and
 * auto-commits. Call {@code poll} more often than {@link ConsumerConfig#sessionTimeout()}, or the
 * group gives the partitions away. Group requests run on one background daemon thread, created when
 * a group is first used; the futures of {@link #commitAsync()} complete on that thread.
 *
 * <p><b>Group failures.</b> Coordinator moves and outages are retried inside {@code poll}; if no
 * heartbeat succeeds for a whole session timeout, the partitions are reported lost ({@link
 * RebalanceListener#onPartitionsLost}) and the consumer rejoins. Commits throw {@link
 * FencedMemberException} when the member no longer holds a partition it commits.
 *
 * <p><b>Failures.</b> Leader changes and unreachable nodes are handled inside {@code poll} by
 * refreshing metadata and retrying; {@code poll} then simply returns fewer records. Errors that a
 * retry cannot fix ({@link UnknownTopicException}, {@link OffsetOutOfRangeException} under {@link
 * OffsetResetPolicy#NONE}) are thrown. Offset look-ups throw a {@link BrokerException} when they do
 * not succeed within {@link ConsumerConfig#requestTimeout()}.
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
   * Joins the group {@link ConsumerConfig#groupId()} (on the next {@code poll}) and consumes the
   * partitions its coordinator assigns from {@code topics}. Replaces any earlier subscription.
   *
   * @throws IllegalStateException if no group id is configured, or partitions were {@link
   *     #assign}ed
   */
  void subscribe(Collection<String> topics);

  /** Like {@link #subscribe(Collection)}, telling {@code listener} about assignment changes. */
  void subscribe(Collection<String> topics, RebalanceListener listener);

  /**
   * Subscribes to every topic whose name matches {@code pattern} (matched by the coordinator, so
   * topics created later join the subscription).
   */
  void subscribe(Pattern pattern, RebalanceListener listener);

  /**
   * Leaves the group: commits (if auto-commit is enabled), calls {@link
   * RebalanceListener#onPartitionsRevoked} for the owned partitions, and tells the coordinator.
   * Does nothing when not subscribed; afterwards {@link #assign} may be used.
   */
  void unsubscribe();

  /**
   * Commits the position of every owned partition and waits for the coordinator's answer, retrying
   * transient failures up to {@link ConsumerConfig#requestTimeout()}.
   *
   * @throws FencedMemberException if the member no longer holds a partition
   * @throws IllegalStateException if no group id is configured
   */
  void commitSync();

  /**
   * Commits the given offsets (each the next offset to consume). Works for assigned partitions too,
   * as an administrative commit, which the coordinator accepts only while the group has no members.
   *
   * @throws FencedMemberException if the member no longer holds one of the partitions
   */
  void commitSync(Map<TopicPartition, Long> offsets);

  /**
   * Commits the position of every owned partition without waiting. The future completes (on the
   * consumer's group thread) when the coordinator answered, or fails with a {@link
   * BrokerException}. Transient failures are retried only briefly (a third of the session timeout
   * at most), so that a later commit is not held up; commits are sent in call order.
   */
  CompletableFuture<Void> commitAsync();

  /**
   * The group's committed offsets of {@code partitions}; partitions without one are absent.
   *
   * @throws IllegalStateException if no group id is configured
   */
  Map<TopicPartition, Long> committed(Set<TopicPartition> partitions);

  /**
   * Replaces the assignment. Positions of partitions that stay assigned are kept; new partitions
   * start according to {@link ConsumerConfig#autoOffsetReset()} unless {@link #seek}ed.
   */
  void assign(Collection<TopicPartition> partitions);

  /** The assigned partitions, or when subscribed, the partitions this member owns right now. */
  Set<TopicPartition> assignment();

  /**
   * The consumer's group membership as of now, for {@link
   * Producer#sendOffsetsToTransaction(java.util.Map, ConsumerGroupMetadata)}.
   *
   * @throws IllegalStateException without {@link ConsumerConfig#groupId()}
   */
  ConsumerGroupMetadata groupMetadata();

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

  /**
   * Closes the consumer. When subscribed: commits (if auto-commit is enabled), calls {@link
   * RebalanceListener#onPartitionsRevoked}, and leaves the group (a static member keeps its place
   * until its session times out). Failures while leaving are logged, not thrown.
   */
  @Override
  void close();
}
