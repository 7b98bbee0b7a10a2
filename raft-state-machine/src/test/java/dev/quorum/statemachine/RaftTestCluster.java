package dev.quorum.statemachine;

import dev.quorum.statemachine.storage.StorageEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Real Ratis servers (gRPC on 127.0.0.1) hosting one group of a state machine under test, each with
 * its own storage directory under a temp dir. Servers can be stopped and restarted on the same
 * data.
 */
final class RaftTestCluster implements AutoCloseable {
  private final Path root;
  private final Function<StorageEnvironment, StateMachine> factory;
  private final StorageEnvironment env = StorageEnvironment.small();
  private final List<RaftPeer> peers = new ArrayList<>();
  private final RaftServer[] servers;
  private final RaftGroup group;
  private final long snapshotThreshold;
  private RaftClient client;

  RaftTestCluster(
      Path root,
      int size,
      long snapshotThreshold,
      Function<StorageEnvironment, StateMachine> factory)
      throws IOException {
    this.root = root;
    this.factory = factory;
    this.snapshotThreshold = snapshotThreshold;
    for (int i = 0; i < size; i++) {
      peers.add(RaftPeer.newBuilder().setId("s" + i).setAddress("127.0.0.1:" + freePort()).build());
    }
    this.group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    this.servers = new RaftServer[size];
    for (int i = 0; i < size; i++) {
      start(i);
    }
    this.client = newClient();
  }

  void start(int i) throws IOException {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(root.resolve("s" + i).toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(p, root.resolve("removed" + i).toFile());
    GrpcConfigKeys.Server.setPort(p, Integer.parseInt(peers.get(i).getAddress().split(":")[1]));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotThreshold);
    RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setSegmentSizeMax(
        p, org.apache.ratis.util.SizeInBytes.valueOf("64KB"));
    RaftServerConfigKeys.Log.setPreallocatedSize(
        p, org.apache.ratis.util.SizeInBytes.valueOf("16KB"));
    RaftServerConfigKeys.Log.setWriteBufferSize(
        p, org.apache.ratis.util.SizeInBytes.valueOf("64KB"));
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(
        p, org.apache.ratis.util.SizeInBytes.valueOf("32KB"));
    RaftServer server =
        RaftServer.newBuilder()
            .setServerId(peers.get(i).getId())
            .setGroup(group)
            .setProperties(p)
            .setStateMachine(factory.apply(env))
            .setOption(
                root.resolve("s" + i)
                        .resolve(group.getGroupId().getUuid().toString())
                        .toFile()
                        .exists()
                    ? org.apache.ratis.server.storage.RaftStorage.StartupOption.RECOVER
                    : org.apache.ratis.server.storage.RaftStorage.StartupOption.FORMAT)
            .build();
    server.start();
    servers[i] = server;
  }

  void stop(int i) throws IOException {
    servers[i].close();
    servers[i] = null;
  }

  RaftServer.Division division(int i) throws IOException {
    return servers[i].getDivision(group.getGroupId());
  }

  @SuppressWarnings("unchecked")
  <T extends StateMachine> T stateMachine(int i) throws IOException {
    return (T) division(i).getStateMachine();
  }

  int leaderIndex() throws IOException {
    for (int i = 0; i < servers.length; i++) {
      if (servers[i] != null && division(i).getInfo().isLeader()) {
        return i;
      }
    }
    return -1;
  }

  RaftPeerId peerId(int i) {
    return peers.get(i).getId();
  }

  byte[] submit(byte[] command) throws IOException {
    RaftClientReply reply =
        client.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(command)));
    if (!reply.isSuccess()) {
      throw new IOException("write failed", reply.getException());
    }
    return reply.getMessage().getContent().toByteArray();
  }

  private RaftClient newClient() {
    return RaftClient.newBuilder()
        .setRaftGroup(group)
        .setProperties(new RaftProperties())
        .setRetryPolicy(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                100, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    try {
      client.close();
    } catch (IOException e) {
      failure = e;
    }
    for (int i = 0; i < servers.length; i++) {
      if (servers[i] != null) {
        try {
          stop(i);
        } catch (IOException e) {
          failure = e;
        }
      }
    }
    env.close();
    if (failure != null) {
      throw failure;
    }
  }
}
