package dev.quorum.node;

import dev.quorum.client.Admin;
import dev.quorum.client.NewTopic;
import dev.quorum.client.TopicDescription;
import dev.quorum.protocol.raft.TopicRecord;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.function.BooleanSupplier;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Broker nodes in this JVM on 127.0.0.1 with ephemeral ports and their own data directories.
 * Stopping a node closes it; starting it again reuses its data. {@link #close} stops every node it
 * started.
 */
final class TestCluster implements AutoCloseable {
  private final Path root;
  private final String clusterId;
  private final List<Peer> peers = new ArrayList<>();
  private final BrokerNode[] nodes;
  private final Map<String, String> settings;

  TestCluster(Path root, int size, Map<String, String> settings) throws IOException {
    this.root = root;
    this.clusterId = "it-" + Long.toHexString(System.nanoTime());
    this.settings = settings;
    for (int id = 1; id <= size; id++) {
      peers.add(new Peer(id, "127.0.0.1", LoopbackPorts.pick(), LoopbackPorts.pick()));
    }
    this.nodes = new BrokerNode[size];
    try {
      for (int id = 1; id <= size; id++) {
        start(id);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  static TestCluster start(Path root, int size) throws IOException {
    // Short timeouts so failovers in tests take about a second.
    return new TestCluster(
        root,
        size,
        Map.of(
            NodeConfig.ELECTION_TIMEOUT_MIN, "300ms",
            NodeConfig.ELECTION_TIMEOUT_MAX, "600ms"));
  }

  void start(int id) throws IOException {
    nodes[id - 1] = BrokerNode.start(NodeConfig.load(properties(id)));
  }

  void stop(int id) {
    BrokerNode node = nodes[id - 1];
    nodes[id - 1] = null;
    if (node != null) {
      node.close();
    }
  }

  boolean isRunning(int id) {
    return nodes[id - 1] != null;
  }

  Properties properties(int id) {
    Peer self = peers.get(id - 1);
    Properties p = new Properties();
    p.setProperty(NodeConfig.NODE_ID, String.valueOf(id));
    p.setProperty(NodeConfig.CLUSTER_ID, clusterId);
    p.setProperty(NodeConfig.DATA_DIR, dataDir(id).toString());
    p.setProperty(NodeConfig.HOST, self.host());
    p.setProperty(NodeConfig.CLIENT_PORT, String.valueOf(self.clientPort()));
    p.setProperty(NodeConfig.RAFT_PORT, String.valueOf(self.raftPort()));
    StringJoiner list = new StringJoiner(",");
    for (Peer peer : peers) {
      list.add(peer.id() + "@" + peer.host() + ":" + peer.raftPort() + ":" + peer.clientPort());
    }
    p.setProperty(NodeConfig.PEERS, list.toString());
    settings.forEach(p::setProperty);
    return p;
  }

  Path dataDir(int id) {
    return root.resolve("node-" + id);
  }

  String bootstrap() {
    StringJoiner list = new StringJoiner(",");
    peers.forEach(p -> list.add(p.host() + ":" + p.clientPort()));
    return list.toString();
  }

  /** Node {@code id}'s client address alone, for a client that must talk to that node only. */
  String clientAddress(int id) {
    Peer peer = peers.get(id - 1);
    return peer.host() + ":" + peer.clientPort();
  }

  /**
   * A plaintext channel to node {@code id}'s client port, for requests the client library never
   * makes as a test needs them; the caller shuts it down.
   */
  ManagedChannel channelTo(int id) {
    Peer peer = peers.get(id - 1);
    return NettyChannelBuilder.forAddress(peer.host(), peer.clientPort()).usePlaintext().build();
  }

  String clusterId() {
    return clusterId;
  }

  /** Creates a topic of one partition with three replicas; returns the partition's Raft group. */
  RaftGroupId createOnePartitionTopic(Admin admin, String name) {
    TopicDescription topic = admin.createTopic(new NewTopic(name, 1, 3));
    return RaftGroups.partitionGroupId(
        clusterId, TopicRecord.newBuilder().setName(name).setTopicId(topic.topicId()).build(), 0);
  }

  BrokerNode node(int id) {
    return nodes[id - 1];
  }

  /** Waits until every node of this cluster answers a status request and is registered. */
  void awaitAllNodesUp(Admin admin) {
    await(
        "every node is up",
        Duration.ofSeconds(60),
        () -> {
          try {
            var nodes = admin.clusterStatus().nodes();
            return nodes.size() == this.nodes.length && nodes.stream().allMatch(n -> n.up());
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting until " + what);
      }
    }
  }

  @Override
  public void close() {
    for (int id = nodes.length; id >= 1; id--) {
      stop(id);
    }
  }
}
