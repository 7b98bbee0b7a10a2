package dev.quorum.node;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.jspecify.annotations.Nullable;

/** Ratis' gRPC transport with {@link LostEntriesLogAppender}s; everything else is Ratis' own. */
final class LostEntriesRpcFactory extends GrpcFactory {
  private static final String PROMPT_COMMITS_KEY = "quorum.raft.prompt-commits.group";

  private final LostEntriesDetector detector;
  private final Set<String> resetFollowers = ConcurrentHashMap.newKeySet();
  private final @Nullable RaftGroupId promptCommits;

  LostEntriesRpcFactory(Parameters parameters, long minResetGapNanos) {
    super(parameters);
    this.detector = new LostEntriesDetector(minResetGapNanos);
    this.promptCommits = parameters.get(PROMPT_COMMITS_KEY, RaftGroupId.class);
  }

  /**
   * Makes the leader of {@code group} tell its followers of each commit within {@link
   * LostEntriesLogAppender#PROMPT_COMMIT_MS}, rather than with the next entry or heartbeat (see
   * RatisProperties: nodes write no commit-index entries).
   */
  static void promptCommits(Parameters parameters, RaftGroupId group) {
    parameters.put(PROMPT_COMMITS_KEY, group, RaftGroupId.class);
  }

  boolean promptCommits(RaftGroupId group) {
    return group.equals(promptCommits);
  }

  LostEntriesDetector detector() {
    return detector;
  }

  void markReset(String followerName) {
    resetFollowers.add(followerName);
  }

  void unmarkReset(String followerName) {
    resetFollowers.remove(followerName);
  }

  @Override
  public LogAppender newLogAppender(
      RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    if (resetFollowers.remove(follower.getName())) {
      // Ratis' restart starts the follower at index 0; a new leader starts at its own next index
      // and lets the follower's INCONSISTENCY reply say where it stands: do as a new leader does.
      follower.setNextIndex(server.getRaftLog().getNextIndex());
      // Ratis also treats a restarted follower as one joining the group and would first send it
      // the whole latest snapshot; it needs one only if the leader purged what it lacks, which
      // Ratis' usual check (its next index below the log's start) still catches.
      follower.setAttemptedToInstallSnapshot();
    }
    return new LostEntriesLogAppender(server, state, follower, this);
  }
}
