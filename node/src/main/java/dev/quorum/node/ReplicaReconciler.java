package dev.quorum.node;

import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.statemachine.ClusterView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the partition replicas hosted by this node equal to what the metadata assigns to it: starts
 * the Raft groups of new partitions and of those found on disk at the node's start ({@link
 * ParkedReplicas}), and removes (with their data) the groups of deleted topics. Runs on one thread,
 * after every metadata change and periodically, so a failed step is retried.
 */
final class ReplicaReconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaReconciler.class);
  private static final long MIN_RESTART_GAP_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long UNCONFIGURED_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final int nodeId;
  private final String clusterId;
  private final RaftServer server;
  private final ParkedReplicas parked;
  private final HeldReplicas held;
  private final RaftGroupId metadataGroupId;
  private final java.util.function.Supplier<ClusterView> view;
  private final java.util.function.LongSupplier metadataAppliedIndex;
  private final ScheduledExecutorService executor;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callId = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  // Touched only on the reconciler's thread.
  private final Map<RaftGroupId, Long> lastRestartNanos = new HashMap<>();
  private final Map<RaftGroupId, Long> unconfiguredSince = new HashMap<>();

  ReplicaReconciler(
      int nodeId,
      String clusterId,
      RaftServer server,
      ParkedReplicas parked,
      HeldReplicas held,
      java.util.function.Supplier<ClusterView> view,
      java.util.function.LongSupplier metadataAppliedIndex,
      ScheduledExecutorService executor) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.server = server;
    this.parked = parked;
    this.held = held;
    this.metadataGroupId = RaftGroups.metadataGroupId(clusterId);
    this.view = view;
    this.metadataAppliedIndex = metadataAppliedIndex;
    this.executor = executor;
  }

  void start() {
    executor.scheduleWithFixedDelay(this::reconcileSafely, 0, 2, TimeUnit.SECONDS);
  }

  /** Asks for a pass soon; many requests before it runs make one pass. */
  void requestPass() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              scheduled.set(false);
              reconcileSafely();
            });
      } catch (RejectedExecutionException e) {
        // The node is stopping (it shuts this executor down before its Raft server): no pass.
        scheduled.set(false);
      }
    }
  }

  private void reconcileSafely() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      LOG.warn("node {}: reconciling partition replicas failed; will retry", nodeId, e);
    }
  }

  void reconcile() {
    // Read the applied index before the view: the view is then at least that recent.
    long applied = metadataAppliedIndex.getAsLong();
    ClusterView current = view.get();
    Map<RaftGroupId, RaftGroup> wanted = new HashMap<>();
    for (TopicRecord topic : current.topics().values()) {
      for (int p = 0; p < topic.getPartitionsCount(); p++) {
        if (topic.getPartitions(p).getReplicasList().contains(nodeId)) {
          RaftGroup group = RaftGroups.partitionGroup(clusterId, topic, p, current.nodes());
          wanted.put(group.getGroupId(), group);
        }
      }
    }
    Set<RaftGroupId> hosted = new HashSet<>();
    server.getGroupIds().forEach(hosted::add);
    Set<RaftGroupId> parkedIds;
    try {
      parkedIds = parked.ids();
    } catch (IOException e) {
      LOG.warn("node {}: cannot list the parked replicas; will retry", nodeId, e);
      return;
    }
    List<RaftGroup> toStart = new ArrayList<>();
    List<RaftGroup> fromDisk = new ArrayList<>();
    for (Map.Entry<RaftGroupId, RaftGroup> e : wanted.entrySet()) {
      if (!hosted.contains(e.getKey())) {
        (parkedIds.contains(e.getKey()) ? fromDisk : toStart).add(e.getValue());
      }
    }
    toStart.addAll(held.mayStart(fromDisk));
    // All missing replicas at once: Ratis still starts them one by one, but the parts that may run
    // in parallel (building each division, opening its store) then overlap.
    List<CompletableFuture<Void>> adds = new ArrayList<>();
    for (RaftGroup group : toStart) {
      adds.add(
          add(group)
              .exceptionally(
                  failure -> {
                    LOG.warn(
                        "node {}: starting replica of {} failed; will retry",
                        nodeId,
                        group.getGroupId(),
                        failure);
                    return null;
                  }));
    }
    adds.forEach(CompletableFuture::join);
    // One group's failure must not hold back the others: each step is retried on the next pass.
    for (Map.Entry<RaftGroupId, RaftGroup> e : wanted.entrySet()) {
      if (hosted.contains(e.getKey()) && shouldRestart(e.getKey())) {
        step("restarting", e.getKey(), () -> restartWithPeers(e.getValue()));
      }
    }
    for (RaftGroupId id : hosted) {
      if (isGone(id, wanted, applied)) {
        step("removing", id, () -> remove(id));
      }
    }
    for (RaftGroupId id : parkedIds) {
      if (isGone(id, wanted, applied)) {
        step(
            "deleting parked",
            id,
            () -> {
              parked.delete(id);
              LOG.info("node {}: deleted the parked replica of group {} and its data", nodeId, id);
            });
      }
    }
  }

  /**
   * Whether a replica here belongs to no partition of the metadata applied at {@code applied}. A
   * group whose topic is newer than that may simply not be visible here yet.
   */
  private boolean isGone(RaftGroupId id, Map<RaftGroupId, RaftGroup> wanted, long applied) {
    return !id.equals(metadataGroupId)
        && !wanted.containsKey(id)
        && RaftGroups.topicIdOf(id) <= applied;
  }

  private interface Step {
    void run() throws IOException;
  }

  private void step(String what, RaftGroupId id, Step step) {
    try {
      step.run();
    } catch (IOException | RuntimeException e) {
      LOG.warn("node {}: {} replica of {} failed; will retry", nodeId, what, id, e);
    }
  }

  private CompletableFuture<Void> add(RaftGroup group) {
    GroupManagementRequest request =
        GroupManagementRequest.newAdd(
            // RECOVER, not FORMAT: it formats a new replica's directory, and it also takes over a
            // directory left by an earlier attempt that failed halfway.
            clientId, server.getId(), callId.incrementAndGet(), group, false);
    CompletableFuture<RaftClientReply> reply;
    try {
      parked.unpark(group.getGroupId());
      reply = server.groupManagementAsync(request);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return reply.thenAccept(
        r -> {
          if (!r.isSuccess()) {
            throw new CompletionException(
                new IOException("adding " + group + " failed", r.getException()));
          }
          LOG.info("node {}: started replica of group {}", nodeId, group.getGroupId());
        });
  }

  /**
   * Whether to restart a replica that is not in its own configuration, at most once per {@link
   * #MIN_RESTART_GAP_NANOS} (the time is taken here). On a node restart Ratis recovers each group
   * without its peers and takes them from the group's configuration file or log. A replica whose
   * disk has neither (its log was damaged before the configuration entry was applied; or the whole
   * group crashed before its first leader's configuration entry reached any disk) is not in its own
   * configuration: Ratis shuts it down at its first election, or, knowing no configuration at all,
   * keeps it waiting for a leader to send one. When a majority waits, no leader ever comes. A
   * waiting replica is given {@link #UNCONFIGURED_GRACE_NANOS} first, since one just recovered from
   * disk shows no configuration until its log is read. Ratis also shuts down a replica whose state
   * machine failed (a full disk, a broken store); restarting that one would only fail again, so it
   * stays down for an operator.
   */
  private boolean shouldRestart(RaftGroupId id) {
    RaftServer.Division division;
    try {
      division = server.getDivision(id);
    } catch (IOException e) {
      return false; // not there (any more): the next pass adds it
    }
    long now = System.nanoTime();
    if (division.getRaftConf().getPeer(server.getId(), RaftPeerRole.FOLLOWER) != null) {
      unconfiguredSince.remove(id);
      return false;
    }
    if (division.getInfo().isAlive()
        && now - unconfiguredSince.computeIfAbsent(id, k -> now) < UNCONFIGURED_GRACE_NANOS) {
      return false;
    }
    Long last = lastRestartNanos.get(id);
    if (last != null && now - last < MIN_RESTART_GAP_NANOS) {
      return false;
    }
    lastRestartNanos.put(id, now);
    unconfiguredSince.remove(id);
    return true;
  }

  /**
   * Restarts a replica that is not in its own configuration (see {@link #shouldRestart}), on its
   * own data, with its group's peers. Re-added with the peers and without formatting, it keeps its
   * data, term and vote, and catches up from the leader or stands for election.
   */
  private void restartWithPeers(RaftGroup group) throws IOException {
    RaftClientReply removed =
        server.groupManagement(
            GroupManagementRequest.newRemove(
                clientId,
                server.getId(),
                callId.incrementAndGet(),
                group.getGroupId(),
                false,
                false));
    if (!removed.isSuccess()) {
      throw new IOException("closing " + group.getGroupId() + " failed", removed.getException());
    }
    add(group).join();
    LOG.warn(
        "node {}: restarted replica of group {} with its peers: it had no configuration that"
            + " included it (its log lost it, or no replica had written it before a crash)",
        nodeId,
        group.getGroupId());
  }

  private void remove(RaftGroupId id) throws IOException {
    RaftClientReply reply =
        server.groupManagement(
            GroupManagementRequest.newRemove(
                clientId, server.getId(), callId.incrementAndGet(), id, true, false));
    if (!reply.isSuccess()) {
      throw new IOException("removing " + id + " failed", reply.getException());
    }
    LOG.info("node {}: removed replica of group {} and its data", nodeId, id);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
