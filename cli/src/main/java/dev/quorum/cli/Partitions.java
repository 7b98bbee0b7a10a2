package dev.quorum.cli;

import dev.quorum.client.TopicPartition;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Orders and prints topic-partitions the way every command shows them. */
final class Partitions {
  static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private Partitions() {}

  static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
    return partitions.stream().sorted(ORDER).toList();
  }

  /** "orders-0,orders-1", sorted; "-" when empty. */
  static String join(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return "-";
    }
    return sorted(partitions).stream()
        .map(TopicPartition::toString)
        .collect(Collectors.joining(","));
  }
}
