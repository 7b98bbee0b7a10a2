package dev.quorum.node;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an election at once in every group whose leader has crashed, instead of waiting for Ratis
 * to notice: a follower only checks for its leader's silence after a whole random election timeout
 * (0.6 to 1.2 s by default), and the check that finds it may come a second timeout later.
 *
 * <p>Of a group's surviving voters, only the successor (highest priority, then lowest node id)
 * stands, so the survivors do not split the vote. It stands through Ratis' leadership-transfer
 * request, which makes a follower campaign without a pre-vote; the request names the crashed leader
 * because Ratis accepts it only from the leader it follows. Standing early is safe: Raft elects
 * only a candidate whose log a majority finds at least as complete as theirs. If the successor's
 * log is behind the other survivor's, it loses, and Ratis' own timeout elects the other one, about
 * a timeout later.
 */
final class LeaderTakeover {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderTakeover.class);

  private final RaftServer server;
  private final Executor elections;

  /**
   * {@code elections} runs the groups' requests: each persists a new term (an fsync), so a node
   * that led hundreds of partitions is taken over faster by several threads than by one.
   */
  LeaderTakeover(RaftServer server, Executor elections) {
    this.server = server;
    this.elections = elections;
  }

  /** Stands for leader in the groups led by the crashed node where this node is the successor. */
  void leaderCrashed(int nodeId) {
    RaftPeerId crashed = RaftGroups.peerId(nodeId);
    List<CompletableFuture<Boolean>> stood = new ArrayList<>();
    try {
      for (RaftGroupId groupId : server.getGroupIds()) {
        stood.add(CompletableFuture.supplyAsync(() -> stand(groupId, crashed), elections));
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

  private boolean stand(RaftGroupId groupId, RaftPeerId crashed) {
    try {
      return stand(server.getDivision(groupId), crashed);
    } catch (IOException | RuntimeException e) {
      // Removed or stopping meanwhile, or no longer a follower: Ratis' timeout still applies.
      LOG.debug("no early election in {}: {}", groupId, e.toString());
      return false;
    }
  }

  private boolean stand(RaftServer.Division division, RaftPeerId crashed) throws IOException {
    if (!division.getInfo().isFollower() || !crashed.equals(division.getInfo().getLeaderId())) {
      return false;
    }
    RaftConfiguration conf = division.getRaftConf();
    if (!conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()) {
      return false; // membership is changing: leave it to Ratis
    }
    Collection<RaftPeer> voters = conf.getCurrentPeers(RaftPeerRole.FOLLOWER);
    if (!successor(voters, crashed).map(server.getId()::equals).orElse(false)) {
      return false;
    }
    // Ratis takes the request only if this log is at least the "leader's" and that entry is of
    // the current term, which holds once the leader has written in its term.
    TermIndex last = division.getRaftLog().getLastEntryTermIndex();
    if (last == null || last.getTerm() != division.getInfo().getCurrentTerm()) {
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

  /** The surviving voter that stands: highest priority, then lowest node id. */
  static Optional<RaftPeerId> successor(Collection<RaftPeer> voters, RaftPeerId crashed) {
    return voters.stream()
        .filter(p -> !p.getId().equals(crashed))
        .min(
            Comparator.comparingInt(RaftPeer::getPriority)
                .reversed()
                .thenComparingInt(p -> RaftGroups.nodeIdOf(p.getId())))
        .map(RaftPeer::getId);
  }
}
