package dev.quorum.node;

import dev.quorum.protocol.v1.RaftLogEnd;
import dev.quorum.protocol.v1.RaftLogEndsResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an election at once in every group whose leader has crashed, instead of waiting for Ratis
 * to notice: a follower only checks for its leader's silence after a whole random election timeout
 * (0.6 to 1.2 s by default), and the check that finds it may come a second timeout later.
 *
 * <p>Of a group's surviving voters exactly one stands, so they do not split the vote: the one whose
 * log ends furthest (Raft would refuse the others), then the one of highest priority, then of
 * lowest node id. The survivors first tell each other where each of their logs ends ({@link
 * #logEnds}); without a peer's answer, priority and id alone decide against it. The one that stands
 * does so through Ratis' leadership-transfer request, which makes a follower campaign without a
 * pre-vote; the request names the crashed leader because Ratis accepts it only from the leader it
 * follows. Standing early is safe: a majority still votes only for a log at least as complete as
 * its own. If it loses all the same, Ratis' own timeout elects another, as it would have without
 * this.
 */
final class LeaderTakeover {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderTakeover.class);

  /** How long a survivor's log ends are awaited: a node that takes longer is decided against. */
  private static final long LOG_ENDS_TIMEOUT_MS = 300;

  private final int selfId;
  private final RaftServer server;
  private final List<Peer> peers;
  private final PeerChannels channels;
  private final Executor elections;

  /**
   * {@code elections} runs the groups' requests: each persists a new term (an fsync), so a node
   * that led hundreds of partitions is taken over faster by several threads than by one.
   */
  LeaderTakeover(
      int selfId, RaftServer server, List<Peer> peers, PeerChannels channels, Executor elections) {
    this.selfId = selfId;
    this.server = server;
    this.peers = List.copyOf(peers);
    this.channels = channels;
    this.elections = elections;
  }

  /**
   * Where each Raft log this node holds ends, and which groups it leads: for a survivor deciding
   * who stands, and for a node holding back a damaged replica ({@link HeldReplicas}).
   */
  RaftLogEndsResponse logEnds() {
    RaftLogEndsResponse.Builder response = RaftLogEndsResponse.newBuilder().setNodeId(selfId);
    for (RaftGroupId groupId : server.getGroupIds()) {
      try {
        RaftServer.Division division = server.getDivision(groupId);
        TermIndex last = division.getRaftLog().getLastEntryTermIndex();
        if (last != null) {
          response.addEnds(
              RaftLogEnd.newBuilder()
                  .setGroupId(groupId.getUuid().toString())
                  .setTerm(last.getTerm())
                  .setIndex(last.getIndex())
                  .setLeader(division.getInfo().isLeader()));
        }
      } catch (IOException e) {
        // removed meanwhile: nothing to report for it
      }
    }
    return response.build();
  }

  /** Stands for leader in the groups led by the crashed node where this node is the one to. */
  void leaderCrashed(int nodeId) {
    RaftPeerId crashed = RaftGroups.peerId(nodeId);
    List<CompletableFuture<RaftLogEndsResponse>> answers = new ArrayList<>();
    for (Peer peer : peers) {
      if (peer.id() != selfId && peer.id() != nodeId) {
        answers.add(channels.raftLogEnds(peer, LOG_ENDS_TIMEOUT_MS));
      }
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenRun(() -> standWhereDue(nodeId, crashed, logEndsByNode(answers)));
  }

  private void standWhereDue(
      int nodeId, RaftPeerId crashed, Map<Integer, Map<String, TermIndex>> ends) {
    List<CompletableFuture<Boolean>> stood = new ArrayList<>();
    try {
      for (RaftGroupId groupId : server.getGroupIds()) {
        String uuid = groupId.getUuid().toString();
        Function<RaftPeerId, @Nullable TermIndex> theirEnd =
            peer -> ends.getOrDefault(RaftGroups.nodeIdOf(peer), Map.of()).get(uuid);
        stood.add(
            CompletableFuture.supplyAsync(() -> stand(groupId, crashed, theirEnd), elections));
      }
    } catch (RejectedExecutionException e) {
      return; // this node is stopping
    }
    CompletableFuture.allOf(stood.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              long started = stood.stream().filter(CompletableFuture::join).count();
              if (started > 0) {
                LOG.info(
                    "node {} crashed: stood for leader of {} group(s) it led", nodeId, started);
              }
            });
  }

  private static Map<Integer, Map<String, TermIndex>> logEndsByNode(
      List<CompletableFuture<RaftLogEndsResponse>> answers) {
    Map<Integer, Map<String, TermIndex>> byNode = new HashMap<>();
    for (CompletableFuture<RaftLogEndsResponse> answer : answers) {
      RaftLogEndsResponse response = answer.join();
      Map<String, TermIndex> ends = new HashMap<>();
      for (RaftLogEnd end : response.getEndsList()) {
        ends.put(end.getGroupId(), TermIndex.valueOf(end.getTerm(), end.getIndex()));
      }
      byNode.put(response.getNodeId(), ends);
    }
    return byNode;
  }

  private boolean stand(
      RaftGroupId groupId, RaftPeerId crashed, Function<RaftPeerId, @Nullable TermIndex> theirEnd) {
    try {
      return stand(server.getDivision(groupId), crashed, theirEnd);
    } catch (IOException | RuntimeException e) {
      // Removed or stopping meanwhile, or no longer a follower: Ratis' timeout still applies.
      LOG.debug("no early election in {}: {}", groupId, e.toString());
      return false;
    }
  }

  private boolean stand(
      RaftServer.Division division,
      RaftPeerId crashed,
      Function<RaftPeerId, @Nullable TermIndex> theirEnd)
      throws IOException {
    if (!division.getInfo().isFollower() || !crashed.equals(division.getInfo().getLeaderId())) {
      return false;
    }
    RaftConfiguration conf = division.getRaftConf();
    if (!conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()) {
      return false; // membership is changing: leave it to Ratis
    }
    // Ratis takes the request only if this log is at least the "leader's" and that entry is of
    // the current term, which holds once the leader has written in its term.
    TermIndex last = division.getRaftLog().getLastEntryTermIndex();
    if (last == null || last.getTerm() != division.getInfo().getCurrentTerm()) {
      return false;
    }
    Collection<RaftPeer> voters = conf.getCurrentPeers(RaftPeerRole.FOLLOWER);
    if (!standsFor(server.getId(), last, voters, crashed, theirEnd)) {
      return false;
    }
    RaftGroupMemberId from = RaftGroupMemberId.valueOf(crashed, division.getGroup().getGroupId());
    StartLeaderElectionRequestProto request =
        StartLeaderElectionRequestProto.newBuilder()
            .setServerRequest(ClientProtoUtils.toRaftRpcRequestProtoBuilder(from, server.getId()))
            .setLeaderLastEntry(last.toProto())
            .build();
    return server.startLeaderElection(request).getServerReply().getSuccess();
  }

  /**
   * Whether {@code self}, whose log ends at {@code ownEnd}, is the surviving voter that stands: no
   * other survivor's log ends further, and none whose log ends as far ranks before it. A survivor
   * whose end is unknown ({@code theirEnd} gives null) counts as ending as far.
   */
  static boolean standsFor(
      RaftPeerId self,
      TermIndex ownEnd,
      Collection<RaftPeer> voters,
      RaftPeerId crashed,
      Function<RaftPeerId, @Nullable TermIndex> theirEnd) {
    RaftPeer me = null;
    for (RaftPeer p : voters) {
      if (p.getId().equals(self)) {
        me = p;
      }
    }
    if (me == null) {
      return false;
    }
    for (RaftPeer other : voters) {
      if (other.getId().equals(self) || other.getId().equals(crashed)) {
        continue;
      }
      TermIndex end = theirEnd.apply(other.getId());
      int byLog = end == null ? 0 : ownEnd.compareTo(end);
      if (byLog < 0 || (byLog == 0 && ranksBefore(other, me))) {
        return false;
      }
    }
    return true;
  }

  /** Higher priority first (Ratis prefers it as leader), then lower node id. */
  private static boolean ranksBefore(RaftPeer a, RaftPeer b) {
    if (a.getPriority() != b.getPriority()) {
      return a.getPriority() > b.getPriority();
    }
    return RaftGroups.nodeIdOf(a.getId()) < RaftGroups.nodeIdOf(b.getId());
  }
}
