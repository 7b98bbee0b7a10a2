package dev.quorum.client;

import java.util.Collection;

/**
 * Told when a subscribed {@link Consumer} gains or gives up partitions.
 *
 * <p><b>Threading.</b> Called on the thread that calls {@link Consumer#poll}, {@link
 * Consumer#unsubscribe()} or {@link Consumer#close()}, from inside those calls; the listener may
 * use the consumer (for example {@link Consumer#commitSync()} or {@link Consumer#seek}).
 *
 * <p><b>Failures.</b> An exception thrown by a callback does not stop the rebalance: the consumer
 * finishes applying the change and then rethrows the first such exception from {@code poll}.
 */
public interface RebalanceListener {
  /**
   * The partitions are about to be given up because the group moved them to another member. Called
   * before they are dropped, so commits for them still succeed.
   */
  void onPartitionsRevoked(Consumer consumer, Collection<TopicPartition> partitions);

  /**
   * The partitions were added to the assignment. Their positions are already set (from the
   * committed offsets, else by {@link ConsumerConfig#autoOffsetReset()}); the listener may seek.
   */
  void onPartitionsAssigned(Consumer consumer, Collection<TopicPartition> partitions);

  /**
   * The member was fenced or its session expired: the partitions may already belong to another
   * member and commits for them would fail. By default does nothing.
   */
  default void onPartitionsLost(Consumer consumer, Collection<TopicPartition> partitions) {}
}
