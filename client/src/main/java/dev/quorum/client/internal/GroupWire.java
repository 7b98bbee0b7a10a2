package dev.quorum.client.internal;

import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.OffsetCommit;
import dev.quorum.protocol.v1.TopicPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Conversions between client partition sets and the group messages' shapes. */
final class GroupWire {
  private GroupWire() {}

  /** Groups partitions by topic, sorted, as the group messages carry them. */
  static List<TopicPartitions> toWire(Collection<TopicPartition> partitions) {
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    List<TopicPartitions> out = new ArrayList<>();
    byTopic.forEach(
        (topic, ps) -> {
          ps.sort(null);
          out.add(TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(ps).build());
        });
    return out;
  }

  static Set<TopicPartition> fromWire(List<TopicPartitions> wire) {
    Set<TopicPartition> out = new LinkedHashSet<>();
    for (TopicPartitions t : wire) {
      for (int p : t.getPartitionsList()) {
        out.add(new TopicPartition(t.getTopic(), p));
      }
    }
    return out;
  }

  static List<OffsetCommit> commits(Map<TopicPartition, Long> offsets) {
    List<OffsetCommit> out = new ArrayList<>();
    offsets.forEach(
        (tp, offset) ->
            out.add(
                OffsetCommit.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setOffset(offset)
                    .build()));
    return out;
  }
}
