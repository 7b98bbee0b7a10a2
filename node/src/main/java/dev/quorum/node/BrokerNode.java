package dev.quorum.node;

import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.RegisterNode;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.statemachine.MetadataStateMachine;
import dev.quorum.statemachine.PartitionStateMachine;
import dev.quorum.statemachine.TornLogTail;
import dev.quorum.statemachine.storage.StorageEnvironment;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker node: a Ratis server hosting the metadata group and this node's partition replicas,
 * and the broker RPC API in front of them. {@link #start} builds everything in order; {@link
 * #close} stops it in reverse.
 */
public final class BrokerNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerNode.class);

  private final NodeConfig config;
  private final List<ServerInterceptor> interceptors;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private volatile boolean closed;
  private volatile @Nullable RaftServer server;
  private volatile @Nullable ProduceCoalescer coalescer;
  private volatile @Nullable HeldReplicas held;

  private BrokerNode(NodeConfig config, List<ServerInterceptor> interceptors) {
    this.config = config;
    this.interceptors = List.copyOf(interceptors);
  }

  /** Starts a node; on failure everything already started is stopped again. */
  static BrokerNode start(NodeConfig config) throws IOException {
    return start(config, List.of());
  }

  /**
   * Starts a node whose broker RPC calls pass through {@code interceptors} (the chaos suite's fault
   * hooks; production nodes have none).
   */
  static BrokerNode start(NodeConfig config, List<ServerInterceptor> interceptors)
      throws IOException {
    CommonPool.requestParallelism();
    if (!CommonPool.pooled()) {
      LOG.warn(
          "node {}: the common ForkJoinPool has a parallelism below 2, so Ratis starts a thread for"
              + " each entry a follower appends; start the JVM with -D{}=4",
          config.nodeId(),
          CommonPool.PARALLELISM);
    }
    if (!RaftLogChecksum.usesJdkCrc32c()) {
      LOG.warn(
          "node {}: Ratis' log checksums run on its table-driven CRC32C, which costs several"
              + " percent of the CPU under load; put the node's jar before Ratis' on the classpath",
          config.nodeId());
    }
    BrokerNode node = new BrokerNode(config, interceptors);
    try {
      node.startComponents();
      return node;
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private void startComponents() throws IOException {
    int id = config.nodeId();
    DataDirectory dataDir = own(DataDirectory.open(config.dataDir(), config.clusterId(), id));
    StorageEnvironment storage =
        own(new StorageEnvironment(config.blockCacheBytes(), config.writeBufferBytes()));
    MetadataStateMachine metadata = new MetadataStateMachine(storage);
    RaftGroup metadataGroup = RaftGroups.metadataGroup(config.clusterId(), config.peers());
    RaftGroupId metadataGroupId = metadataGroup.getGroupId();

    Parameters parameters = new Parameters();
    ExecutorService raftRpc = RaftRpcExecutor.install(parameters, id);
    // Other nodes act on a metadata change (start replicas, answer for a new topic) once they have
    // applied it, so they must hear of its commit at once, not with the next heartbeat.
    LostEntriesRpcFactory.promptCommits(parameters, metadataGroupId);
    own(raftRpc::shutdownNow);
    // build() recovers every group found on disk, so the registry must work before it; and all
    // partition replicas but the metadata group wait aside, for the reconciler to start them. So
    // does a metadata replica whose log lost its tail, until another one leads (HeldReplicas).
    boolean metadataDamaged =
        TornLogTail.hasDamagedTail(
            dataDir.raftDir().resolve(metadataGroupId.getUuid().toString()),
            RatisProperties.MAX_ENTRY);
    ParkedReplicas parked =
        ParkedReplicas.parkAllBut(
            metadataDamaged ? null : metadataGroupId, dataDir.raftDir(), dataDir.parkedGroupsDir());
    PeerChannels peers = own(new PeerChannels());
    HeldReplicas held = new HeldReplicas(id, config.peers(), peers, parked, System::nanoTime);
    this.held = held;
    RaftServer server =
        RaftServer.newBuilder()
            .setServerId(RaftGroups.peerId(id))
            .setProperties(RatisProperties.from(config, dataDir))
            .setParameters(parameters)
            .setStateMachineRegistry(
                groupId ->
                    groupId.equals(metadataGroupId) ? metadata : new PartitionStateMachine(storage))
            .build();
    own(server);
    this.server = server;
    server.start();
    if (metadataDamaged) {
      held.awaitStart(metadataGroup);
      parked.unpark(metadataGroupId);
    }
    if (!hosts(server, metadataGroupId)) {
      // Formatted only if new: a metadata replica brought back from aside recovers its own data.
      RaftClientReply reply =
          server.groupManagement(
              GroupManagementRequest.newAdd(
                  ClientId.randomId(), server.getId(), 1, metadataGroup, !metadataDamaged));
      if (!reply.isSuccess()) {
        throw new IOException("cannot start the metadata group", reply.getException());
      }
    }

    LocalReplicas replicas = new LocalReplicas(server, metadata, config.clusterId());
    ScheduledExecutorService reconcilerThread =
        Executors.newSingleThreadScheduledExecutor(new NamedThreads(id, "reconciler"));
    ReplicaReconciler reconciler =
        own(
            new ReplicaReconciler(
                id,
                config.clusterId(),
                server,
                parked,
                held,
                metadata::view,
                () -> appliedIndex(metadata),
                reconcilerThread));
    metadata.addListener(reconciler::requestPass);
    RaftSubmitter submitter = new RaftSubmitter(server);
    MetadataCatchUp catchUp = new MetadataCatchUp(id, submitter, metadataGroupId, reconcilerThread);
    catchUp.caughtUp().thenRunAsync(reconciler::start, reconcilerThread);
    catchUp.start();

    ExecutorService metadataCalls =
        Executors.newFixedThreadPool(2, new NamedThreads(id, "metadata-client"));
    MetadataWriter writer = own(new MetadataWriter(metadataGroup, metadataCalls));
    ExecutorService electionThreads =
        Executors.newFixedThreadPool(4, new NamedThreads(id, "takeover"));
    own(electionThreads::shutdownNow);
    LeaderTakeover takeover =
        new LeaderTakeover(id, server, config.peers(), peers, electionThreads);
    PeerCrashWatch crashWatch =
        own(
            new PeerCrashWatch(
                config.peers(),
                id,
                Executors.newSingleThreadScheduledExecutor(new NamedThreads(id, "crash-watch")),
                takeover::leaderCrashed));
    crashWatch.start();
    ExecutorService fetchThreads = Executors.newFixedThreadPool(2, new NamedThreads(id, "fetch"));
    own(fetchThreads::shutdownNow);
    PartitionLookup lookup = new PartitionLookup(replicas);
    Clock clock = Clock.systemUTC();
    GroupCoordinator groups =
        own(
            new GroupCoordinator(
                id,
                replicas,
                lookup,
                submitter,
                writer,
                config.peers().size(),
                clock,
                Executors.newSingleThreadScheduledExecutor(new NamedThreads(id, "groups"))));
    groups.start();
    ProducerIds producerIds = new ProducerIds(writer);
    ScheduledExecutorService transactionThread =
        Executors.newSingleThreadScheduledExecutor(new NamedThreads(id, "transactions"));
    TransactionMarkers markers =
        new TransactionMarkers(id, replicas, lookup, submitter, peers, transactionThread);
    TransactionCoordinator transactions =
        own(
            new TransactionCoordinator(
                id,
                replicas,
                lookup,
                submitter,
                writer,
                config.peers().size(),
                producerIds,
                markers,
                groups.topic(),
                clock,
                transactionThread));
    transactions.start();
    ProduceCoalescer produceCoalescer =
        new ProduceCoalescer(
            submitter::submit,
            RatisProperties.MAX_COALESCED_BYTES,
            config.produceEntriesInFlight(),
            RatisProperties.MIN_PIPELINED_ENTRY_BYTES);
    this.coalescer = produceCoalescer;
    BrokerService service =
        new BrokerService(
            new AdminHandler(id, config.clusterId(), replicas, writer, peers, submitter),
            new ProduceHandler(lookup, produceCoalescer, clock),
            new FetchHandler(lookup, submitter, fetchThreads),
            groups,
            producerIds,
            transactions,
            markers,
            takeover);
    ExecutorService rpcThreads = Executors.newFixedThreadPool(4, new NamedThreads(id, "rpc"));
    Server rpc =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.clientPort()))
            .addService(
                ServerInterceptors.intercept(
                    ServerInterceptors.intercept(service, interceptors), catchUp))
            .executor(rpcThreads)
            .maxInboundMessageSize(64 << 20)
            .build()
            .start();
    own(
        () -> {
          rpc.shutdown();
          if (!rpc.awaitTermination(5, TimeUnit.SECONDS)) {
            rpc.shutdownNow();
          }
          rpcThreads.shutdownNow();
        });
    register(writer);
  }

  /** Announces this node's addresses to the metadata group, retrying until a majority is up. */
  private void register(MetadataWriter writer) {
    Peer self = config.self();
    MetadataCommand command =
        MetadataCommand.newBuilder()
            .setRegisterNode(
                RegisterNode.newBuilder()
                    .setClusterId(config.clusterId())
                    .setNode(
                        NodeInfo.newBuilder()
                            .setId(self.id())
                            .setHost(self.host())
                            .setClientPort(self.clientPort())
                            .setRaftPort(self.raftPort())))
            .build();
    writer
        .submit(command)
        .whenComplete(
            (result, failure) -> {
              if (closed) {
                return;
              }
              if (failure != null || result.hasError()) {
                LOG.warn(
                    "node {}: registration not accepted yet ({}); retrying",
                    config.nodeId(),
                    failure != null ? failure.getMessage() : result.getError().getMessage());
                register(writer);
              } else {
                LOG.info("node {}: registered with the cluster metadata", config.nodeId());
              }
            });
  }

  /** The Ratis server, for status and tests; null before start and after a failed start. */
  @Nullable RaftServer raftServer() {
    return server;
  }

  /** The replicas held back because their logs lost their tails ({@link HeldReplicas}). */
  Set<RaftGroupId> heldReplicas() {
    HeldReplicas h = held;
    return h == null ? Set.of() : h.held();
  }

  /** The produce coalescer, for tests; null before start. */
  @Nullable ProduceCoalescer produceCoalescer() {
    return coalescer;
  }

  private static boolean hosts(RaftServer server, RaftGroupId groupId) {
    for (RaftGroupId hosted : server.getGroupIds()) {
      if (hosted.equals(groupId)) {
        return true;
      }
    }
    return false;
  }

  private static long appliedIndex(MetadataStateMachine metadata) {
    TermIndex applied = metadata.getLastAppliedTermIndex();
    return applied == null ? -1 : applied.getIndex();
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.push(resource);
    return resource;
  }

  @Override
  public void close() {
    closed = true;
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("node {}: error while stopping {}", config.nodeId(), resource, e);
      }
    }
  }

  public static void main(String[] args) {
    CommonPool.requestParallelism();
    NodeConfig config;
    try {
      config = NodeCommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    BrokerNode node;
    try {
      node = start(config);
    } catch (DataDirectory.DataDirectoryException e) {
      System.err.println("cannot start node " + config.nodeId() + ": " + e.getMessage());
      System.exit(2);
      return;
    } catch (Throwable e) {
      // Any failure, an Error included: a half-started node must exit, not linger on its threads.
      LOG.error("node {} failed to start", config.nodeId(), e);
      System.err.println("cannot start node " + config.nodeId() + ": " + e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "broker-node-shutdown"));
    System.out.printf(
        "quorum node %d ready: client %s:%d raft %s:%d%n",
        config.nodeId(), config.host(), config.clientPort(), config.host(), config.raftPort());
    System.out.flush();
  }
}
