package dev.quorum.client;

import java.util.List;

/** A topic as {@link Admin#describeTopic(String)} sees it, with one entry per partition. */
public record TopicDescription(
    String name, long topicId, int maxMessageBytes, List<PartitionDescription> partitions) {
  public TopicDescription {
    partitions = List.copyOf(partitions);
  }
}
