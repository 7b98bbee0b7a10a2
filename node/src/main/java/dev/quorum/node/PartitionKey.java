package dev.quorum.node;

import dev.quorum.protocol.v1.TopicPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** One partition of one topic, ordered by topic then partition. */
record PartitionKey(String topic, int partition) implements Comparable<PartitionKey> {
  private static final Comparator<PartitionKey> ORDER =
      Comparator.comparing(PartitionKey::topic).thenComparingInt(PartitionKey::partition);

  @Override
  public int compareTo(PartitionKey other) {
    return ORDER.compare(this, other);
  }

  static Set<PartitionKey> fromWire(Collection<TopicPartitions> wire) {
    Set<PartitionKey> keys = new TreeSet<>();
    for (TopicPartitions tp : wire) {
      for (int p : tp.getPartitionsList()) {
        keys.add(new PartitionKey(tp.getTopic(), p));
      }
    }
    return keys;
  }

  static List<TopicPartitions> toWire(Collection<PartitionKey> keys) {
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    for (PartitionKey key : new TreeSet<>(keys)) {
      byTopic.computeIfAbsent(key.topic(), t -> new ArrayList<>()).add(key.partition());
    }
    List<TopicPartitions> wire = new ArrayList<>();
    byTopic.forEach(
        (topic, partitions) ->
            wire.add(
                TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(partitions).build()));
    return wire;
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
