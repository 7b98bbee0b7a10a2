package dev.quorum.node;

import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.NodeInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Names of Raft groups and peers. A partition's group id carries its topic id and partition number
 * in the low 64 bits, so a node can tell from a group directory alone which topic incarnation it
 * belongs to, and whether the metadata it has applied is recent enough to judge that the topic is
 * gone. (Low, because Ratis names a group in logs and JMX by the last 12 hex digits of its UUID.)
 */
final class RaftGroups {
  private static final int PARTITION_BITS = 16;

  private RaftGroups() {}

  static RaftGroupId metadataGroupId(String clusterId) {
    return RaftGroupId.valueOf(new UUID(hash("metadata/" + clusterId), 0));
  }

  static RaftGroupId partitionGroupId(String clusterId, TopicRecord topic, int partition) {
    long low = (topic.getTopicId() << PARTITION_BITS) | partition;
    return RaftGroupId.valueOf(new UUID(hash(clusterId + "/" + topic.getName()), low));
  }

  /**
   * The metadata log index that created the topic of a partition group; 0 for the metadata group.
   */
  static long topicIdOf(RaftGroupId groupId) {
    return groupId.getUuid().getLeastSignificantBits() >>> PARTITION_BITS;
  }

  /** The partition number of a group made by {@link #partitionGroupId} for the topic, or -1. */
  static int partitionOf(String clusterId, String topicName, UUID groupUuid) {
    boolean ofTopic =
        groupUuid.getMostSignificantBits() == hash(clusterId + "/" + topicName)
            && (groupUuid.getLeastSignificantBits() >>> PARTITION_BITS) != 0;
    return ofTopic ? (int) (groupUuid.getLeastSignificantBits() & ((1 << PARTITION_BITS) - 1)) : -1;
  }

  static RaftPeerId peerId(int nodeId) {
    return RaftPeerId.valueOf("n" + nodeId);
  }

  /** The node id of a peer id made by {@link #peerId}, or 0 if it is not one. */
  static int nodeIdOf(RaftPeerId peerId) {
    String id = peerId.toString();
    try {
      return id.startsWith("n") ? Integer.parseInt(id.substring(1)) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static RaftGroup metadataGroup(String clusterId, List<Peer> peers) {
    List<RaftPeer> raftPeers = new ArrayList<>();
    for (Peer peer : peers) {
      raftPeers.add(
          RaftPeer.newBuilder().setId(peerId(peer.id())).setAddress(peer.raftAddress()).build());
    }
    return RaftGroup.valueOf(metadataGroupId(clusterId), raftPeers);
  }

  /**
   * The group of one partition. The first replica gets a higher priority, so Ratis hands leadership
   * back to it when it is up to date: leaders stay spread across the nodes.
   */
  static RaftGroup partitionGroup(
      String clusterId, TopicRecord topic, int partition, Map<Integer, NodeInfo> nodes) {
    List<Integer> replicas = topic.getPartitions(partition).getReplicasList();
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 0; i < replicas.size(); i++) {
      NodeInfo node = nodes.get(replicas.get(i));
      if (node == null) {
        throw new IllegalStateException("replica node " + replicas.get(i) + " is not registered");
      }
      peers.add(
          RaftPeer.newBuilder()
              .setId(peerId(node.getId()))
              .setAddress(node.getHost() + ":" + node.getRaftPort())
              .setPriority(i == 0 ? 1 : 0)
              .build());
    }
    return RaftGroup.valueOf(partitionGroupId(clusterId, topic, partition), peers);
  }

  private static long hash(String text) {
    return UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).getLeastSignificantBits();
  }
}
