package dev.quorum.node;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells when a follower lost entries it had acknowledged, and limits how often the leader resets
 * its view of one follower.
 *
 * <p>Ratis never lowers a follower's match index. When a follower loses entries it had acknowledged
 * (only a damaged disk does that: a cut or a bit flip in its newest log segment), it answers with
 * INCONSISTENCY and a next index at or below that match index. Ratis 3.3.0 then sets the next index
 * back to the match index + 1 on every such answer to a heartbeat, so an idle leader sends only
 * heartbeats from the stale index, each answered INCONSISTENCY, with growing back-off, and the
 * follower stays behind for minutes (RATIS-2523). Within one leader term the follower's
 * acknowledged entries match the leader's and Raft never truncates them, so an answer at or below
 * the match index means they were lost.
 */
final class LostEntriesDetector {
  private final long minGapNanos;
  private final Map<String, Long> lastResetNanos = new ConcurrentHashMap<>();

  /** At most one reset per follower every {@code minGapNanos}. */
  LostEntriesDetector(long minGapNanos) {
    this.minGapNanos = minGapNanos;
  }

  /** Whether a follower that answers it needs {@code replyNextIndex} lost acknowledged entries. */
  static boolean lostAcknowledgedEntries(long matchIndex, long replyNextIndex) {
    return matchIndex >= 0 && replyNextIndex >= 0 && replyNextIndex <= matchIndex;
  }

  /** Claims a reset of {@code follower} at {@code nowNanos}; false when one happened recently. */
  boolean mayReset(String follower, long nowNanos) {
    boolean[] allowed = {false};
    lastResetNanos.compute(
        follower,
        (name, last) -> {
          if (last == null || nowNanos - last >= minGapNanos) {
            allowed[0] = true;
            return nowNanos;
          }
          return last;
        });
    return allowed[0];
  }
}
