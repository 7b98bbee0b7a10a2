package dev.quorum.client;

import java.util.List;

/**
 * One node in a {@link ClusterStatus}: its address, whether it answered, whether it leads the
 * metadata group, and the partitions it leads (empty when it is down).
 */
public record NodeState(
    int id,
    String host,
    int clientPort,
    boolean up,
    boolean metadataLeader,
    List<TopicPartition> leaderOf) {
  public NodeState {
    leaderOf = List.copyOf(leaderOf);
  }
}
