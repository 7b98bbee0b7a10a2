package dev.quorum.node;

import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.statemachine.ClusterView;
import dev.quorum.statemachine.MetadataStateMachine;
import dev.quorum.statemachine.PartitionStateMachine;
import java.io.IOException;
import java.util.Optional;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.jspecify.annotations.Nullable;

/** Finds the partition replicas this node hosts and what it knows about their leaders. */
final class LocalReplicas {
  private final RaftServer server;
  private final MetadataStateMachine metadata;
  private final String clusterId;

  LocalReplicas(RaftServer server, MetadataStateMachine metadata, String clusterId) {
    this.server = server;
    this.metadata = metadata;
    this.clusterId = clusterId;
  }

  ClusterView view() {
    return metadata.view();
  }

  RaftServer server() {
    return server;
  }

  RaftGroupId metadataGroupId() {
    return RaftGroups.metadataGroupId(clusterId);
  }

  /** A partition as the metadata describes it, with the local replica if this node hosts one. */
  record Partition(
      TopicRecord topic,
      int partition,
      RaftGroupId groupId,
      RaftServer.@Nullable Division division) {

    boolean isLeader() {
      return division != null && division.getInfo().isLeader();
    }

    boolean isLeaderReady() {
      return division != null && division.getInfo().isLeaderReady();
    }

    PartitionStateMachine stateMachine() {
      return (PartitionStateMachine) java.util.Objects.requireNonNull(division).getStateMachine();
    }

    /** The leader's node id: as this replica knows it, else the preferred replica; 0 if neither. */
    int leaderHint() {
      if (division != null) {
        RaftPeerId leader = division.getInfo().getLeaderId();
        return leader == null ? 0 : RaftGroups.nodeIdOf(leader);
      }
      var replicas = topic.getPartitions(partition).getReplicasList();
      return replicas.isEmpty() ? 0 : replicas.get(0);
    }
  }

  Optional<TopicRecord> topic(String name) {
    return metadata.view().topic(name);
  }

  Partition partition(TopicRecord topic, int partition) {
    RaftGroupId groupId = RaftGroups.partitionGroupId(clusterId, topic, partition);
    return new Partition(topic, partition, groupId, division(groupId));
  }

  RaftServer.@Nullable Division division(RaftGroupId groupId) {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      return null; // not hosted here, or removed meanwhile
    }
  }
}
