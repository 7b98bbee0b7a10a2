package dev.quorum.node;

import java.util.concurrent.TimeUnit;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' gRPC log appender, restarted when its follower lost entries it had acknowledged (see
 * {@link LostEntriesDetector}). Ratis' own restart replaces the follower's state on the leader, so
 * the match index starts from nothing and the next INCONSISTENCY reply sets where to resend from.
 * In a group with prompt commits (the metadata group) it also tells the follower of each commit
 * within {@link #PROMPT_COMMIT_MS}, since nodes write no commit-index entries that would carry it.
 */
final class LostEntriesLogAppender extends GrpcLogAppender {
  private static final Logger LOG = LoggerFactory.getLogger(LostEntriesLogAppender.class);

  /** Ratis backs off at most 5 s between answers of a stalled follower. */
  private static final long CONFIRM_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(12);

  /**
   * The longest a follower of a group with prompt commits waits to hear of a commit (the appender
   * also wakes for every new entry, but not for a commit).
   */
  static final long PROMPT_COMMIT_MS = 20;

  private final LostEntriesRpcFactory factory;
  private final boolean promptCommits;

  /** The highest commit index the follower was sent and can apply; the appender's thread only. */
  private long commitSent = -1;

  /** The follower's answer that showed the loss, or -1; set on gRPC's thread. */
  private volatile long lostFrom = -1;

  private final LostEntriesDetector.Suspicion suspicion =
      new LostEntriesDetector.Suspicion(CONFIRM_WINDOW_NANOS);

  LostEntriesLogAppender(
      RaftServer.Division server,
      LeaderState leaderState,
      FollowerInfo follower,
      LostEntriesRpcFactory factory) {
    super(server, leaderState, follower);
    this.factory = factory;
    this.promptCommits = factory.promptCommits(server.getMemberId().getGroupId());
  }

  // Ratis' loop builds a request when entries are due or the follower's commit index is behind;
  // with no entries due it sends nothing until the next heartbeat, so a new commit goes alone.
  @Override
  public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
      throws RaftLogIOException {
    boolean commitOnly =
        promptCommits
            && getRaftLog().getLastCommittedIndex() > commitSent
            && getRaftLog().getNextIndex() <= getFollower().getNextIndex();
    AppendEntriesRequestProto request =
        super.newAppendEntriesRequest(callId, heartbeat || commitOnly);
    if (request != null) {
      commitSent = Math.max(commitSent, conveyedCommit(request));
    }
    return request;
  }

  /**
   * The commit index a follower takes from the request: no further than the entries the request
   * vouches for (Ratis' {@code RaftServerImpl.effectiveCommitIndex}). A heartbeat sent while
   * entries are in flight names no previous entry and conveys nothing, so it is sent again.
   */
  private static long conveyedCommit(AppendEntriesRequestProto request) {
    int entries = request.getEntriesCount();
    long vouched;
    if (request.hasPreviousLog()) {
      vouched = request.getPreviousLog().getIndex() + entries;
    } else if (entries > 0) {
      vouched = request.getEntries(entries - 1).getIndex();
    } else {
      return -1;
    }
    return Math.min(request.getLeaderCommit(), vouched);
  }

  // Ratis calls this for every INCONSISTENCY answer, with the follower's next index. A heartbeat
  // answered before an overtaken append succeeded can also look like a loss (the heartbeat has its
  // own stream); alone that only costs a resend, and only a second such answer within the window
  // restarts the appender (rate limited). Neither puts data at risk.
  @Override
  protected long getNextIndexForInconsistency(long requestFirstIndex, long replyNextIndex) {
    if (LostEntriesDetector.lostAcknowledgedEntries(
        getFollower().getMatchIndex(), replyNextIndex)) {
      if (suspicion.confirmedBy(System.nanoTime())) {
        lostFrom = replyNextIndex;
      }
      // Resend from where the follower is (Ratis would go back to the stale match index + 1): that
      // often mends a loss by itself, and a follower that lost nothing answers where it really is.
      return replyNextIndex;
    }
    return super.getNextIndexForInconsistency(requestFirstIndex, replyNextIndex);
  }

  // Ratis' appender loop asks for its wait time on every round, on the appender's own thread (and
  // the INCONSISTENCY answer wakes it up): the place to restart it from.
  @Override
  public long getWaitTimeMs() {
    long from = lostFrom;
    if (from < 0) {
      return promptCommits
          ? Math.min(super.getWaitTimeMs(), PROMPT_COMMIT_MS)
          : super.getWaitTimeMs();
    }
    // A loss seen while a restart is refused is forgotten: if it is real, the follower's next
    // answer reports it again.
    lostFrom = -1;
    FollowerInfo f = getFollower();
    if (isRunning() && factory.detector().mayReset(f.getName(), System.nanoTime())) {
      LOG.warn(
          "{}: the follower asks for entry {} but had acknowledged up to {}: it lost entries"
              + " (damaged disk); restarting its appender so that the leader forgets the stale"
              + " match index (RATIS-2523)",
          f.getName(),
          from,
          f.getMatchIndex());
      factory.markReset(f.getName());
      getLeaderState().restart(this);
      // Ratis builds the replacement inside restart(); if it built none (no longer leading, peer
      // gone), the mark must not linger.
      factory.unmarkReset(f.getName());
      return 0;
    }
    return super.getWaitTimeMs();
  }
}
