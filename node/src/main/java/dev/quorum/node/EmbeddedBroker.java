package dev.quorum.node;

import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.util.List;
import java.util.Properties;
import org.apache.ratis.server.RaftServer;

/**
 * A broker node started inside the calling JVM, for tests and the chaos suite's in-process tier. It
 * is the same node {@code scripts/cluster} runs as a process; the only addition is a list of gRPC
 * interceptors in front of the broker RPC API, where the chaos suite injects transport faults.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private final BrokerNode node;

  private EmbeddedBroker(BrokerNode node) {
    this.node = node;
  }

  /**
   * Starts a node from the same settings a node's properties file holds (see the README's
   * configuration table).
   */
  public static EmbeddedBroker start(Properties settings, List<ServerInterceptor> interceptors)
      throws IOException {
    return new EmbeddedBroker(BrokerNode.start(NodeConfig.load(settings), interceptors));
  }

  /** The node's Ratis server, for leader lookups; null once closed. */
  public RaftServer raftServer() {
    return node.raftServer();
  }

  /** The Raft peer id this node uses for node {@code nodeId}, as fault injection must name it. */
  public static String raftPeerId(int nodeId) {
    return RaftGroups.peerId(nodeId).toString();
  }

  /** The node id behind a Raft peer id, or 0 if it is not one of ours. */
  public static int nodeIdOf(String raftPeerId) {
    return RaftGroups.nodeIdOf(org.apache.ratis.protocol.RaftPeerId.valueOf(raftPeerId));
  }

  /**
   * Every Raft group directory (named after the group's UUID) in a stopped node's data directory:
   * those Ratis runs, under {@code raft/}, and those a node that stopped soon after its start had
   * not started yet, under {@code raft-parked/}. For tools that read or damage a stopped node's
   * data.
   */
  public static java.util.List<java.nio.file.Path> groupDirs(java.nio.file.Path dataDir)
      throws java.io.IOException {
    return DataDirectory.groupDirs(dataDir);
  }

  /**
   * The partition of {@code topic} whose replica lives in the Raft group directory named {@code
   * groupDirName} (a group UUID, see {@link #groupDirs}), or -1 when the group is not one of that
   * topic's partitions; for tools that read a stopped node's data directory.
   */
  public static int partitionOfGroupDir(String clusterId, String topic, String groupDirName) {
    java.util.UUID uuid;
    try {
      uuid = java.util.UUID.fromString(groupDirName);
    } catch (IllegalArgumentException e) {
      return -1;
    }
    return RaftGroups.partitionOf(clusterId, topic, uuid);
  }

  @Override
  public void close() {
    node.close();
  }
}
