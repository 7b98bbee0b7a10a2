package dev.quorum.node;

import dev.quorum.protocol.v1.RaftLogEnd;
import dev.quorum.protocol.v1.RaftLogEndsResponse;
import dev.quorum.statemachine.TornLogTail;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds back a parked replica whose newest log segment was damaged until another replica of its
 * group leads.
 *
 * <p>A replica that lost the tail of its log (a torn write, an entry that fails its checksum) may
 * have acknowledged entries it no longer has, and Raft counts that acknowledgement towards a
 * commit. Started at once, it votes and stands as if it never had them: with a replica that was
 * down while they were committed, it makes a majority without them and elects a leader that
 * overwrites committed entries (a chaos run lost a transaction's registration that way, leaving the
 * transaction open in a partition for good). While it is held back the group elects a leader among
 * the others, whose votes include one that has every committed entry; once one of them leads, the
 * held replica starts and catches up from it.
 *
 * <p>When no other replica leads, for example because the others were damaged too, a replica is
 * started anyway after {@link #HOLD_STEP} times its rank among the group's replicas (by node id):
 * one at a time, so that each one started can be outvoted by the replicas already running. A crash
 * alone never loses an acknowledged entry (it was fsynced before the acknowledgement), so a torn
 * write left by one costs only this wait.
 */
final class HeldReplicas {
  private static final Logger LOG = LoggerFactory.getLogger(HeldReplicas.class);
  static final Duration HOLD_STEP = Duration.ofSeconds(10);
  private static final long LOG_ENDS_TIMEOUT_MS = 1_000;
  private static final long AWAIT_POLL_MS = 500;

  private final int nodeId;
  private final Map<Integer, Peer> peers = new HashMap<>();
  private final PeerChannels channels;
  private final ParkedReplicas parked;
  private final LongSupplier nanoTime;
  private final Map<RaftGroupId, Boolean> damaged = new HashMap<>();
  private final Map<RaftGroupId, Long> heldSince = new ConcurrentHashMap<>();

  HeldReplicas(
      int nodeId,
      List<Peer> peers,
      PeerChannels channels,
      ParkedReplicas parked,
      LongSupplier nanoTime) {
    this.nodeId = nodeId;
    peers.forEach(p -> this.peers.put(p.id(), p));
    this.channels = channels;
    this.parked = parked;
    this.nanoTime = nanoTime;
  }

  /**
   * Of the parked replicas about to start, those that may start now; the others stay parked until a
   * later call. Called from one thread at a time (the node's start, then its reconciler's).
   */
  List<RaftGroup> mayStart(List<RaftGroup> fromDisk) {
    Set<RaftGroupId> ids = new HashSet<>();
    fromDisk.forEach(g -> ids.add(g.getGroupId()));
    // A replica no longer asked about has started, or went with its topic.
    heldSince.keySet().retainAll(ids);
    damaged.keySet().retainAll(ids);
    List<RaftGroup> start = new ArrayList<>();
    List<RaftGroup> waiting = new ArrayList<>();
    long now = nanoTime.getAsLong();
    for (RaftGroup group : fromDisk) {
      RaftGroupId id = group.getGroupId();
      if (!damaged.computeIfAbsent(id, this::hasDamagedTail)) {
        start.add(group);
        continue;
      }
      if (heldSince.putIfAbsent(id, now) == null) {
        LOG.warn(
            "node {}: the Raft log of its replica of {} lost its tail (torn write or bad"
                + " checksum): holding it back until another replica leads the group, or for {}",
            nodeId,
            id,
            holdFor(group));
      }
      waiting.add(group);
    }
    if (waiting.isEmpty()) {
      return start;
    }
    Set<RaftGroupId> led = ledByPeers(waiting);
    for (RaftGroup group : waiting) {
      RaftGroupId id = group.getGroupId();
      boolean ledElsewhere = led.contains(id);
      if (!ledElsewhere && now - heldSince.get(id) < holdFor(group).toNanos()) {
        continue;
      }
      if (ledElsewhere) {
        LOG.info("node {}: another replica leads {}: starting this one to catch up", nodeId, id);
      } else {
        LOG.warn(
            "node {}: no other replica of {} leads after {}: starting its damaged replica;"
                + " entries it acknowledged before the damage are lost if no running replica has"
                + " them",
            nodeId,
            id,
            holdFor(group));
      }
      heldSince.remove(id);
      damaged.remove(id);
      start.add(group);
    }
    return start;
  }

  /**
   * Blocks until {@code group}'s parked replica may start ({@link #mayStart}): for the metadata
   * group, which a node needs before anything else.
   */
  void awaitStart(RaftGroup group) throws InterruptedIOException {
    while (mayStart(List.of(group)).isEmpty()) {
      try {
        Thread.sleep(AWAIT_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while holding back " + group.getGroupId());
      }
    }
  }

  /** The replicas held back now. */
  Set<RaftGroupId> held() {
    return Set.copyOf(heldSince.keySet());
  }

  private boolean hasDamagedTail(RaftGroupId id) {
    return TornLogTail.hasDamagedTail(parked.dir(id), RatisProperties.MAX_ENTRY);
  }

  /** {@link #HOLD_STEP} times this node's rank (1-based) among the group's replicas by node id. */
  private Duration holdFor(RaftGroup group) {
    int rank = 1;
    for (RaftPeer peer : group.getPeers()) {
      if (RaftGroups.nodeIdOf(peer.getId()) < nodeId) {
        rank++;
      }
    }
    return HOLD_STEP.multipliedBy(rank);
  }

  /** The groups among {@code groups} that another of their replicas says it leads. */
  private Set<RaftGroupId> ledByPeers(List<RaftGroup> groups) {
    Set<Integer> asked = new HashSet<>();
    for (RaftGroup group : groups) {
      for (RaftPeer peer : group.getPeers()) {
        asked.add(RaftGroups.nodeIdOf(peer.getId()));
      }
    }
    asked.remove(nodeId);
    List<CompletableFuture<RaftLogEndsResponse>> answers = new ArrayList<>();
    for (int id : asked) {
      Peer peer = peers.get(id);
      if (peer != null) {
        answers.add(channels.raftLogEnds(peer, LOG_ENDS_TIMEOUT_MS));
      }
    }
    Set<RaftGroupId> led = new HashSet<>();
    for (CompletableFuture<RaftLogEndsResponse> answer : answers) {
      for (RaftLogEnd end : answer.join().getEndsList()) {
        if (end.getLeader()) {
          led.add(RaftGroupId.valueOf(UUID.fromString(end.getGroupId())));
        }
      }
    }
    return led;
  }
}
