package dev.quorum.node;

import dev.quorum.protocol.raft.TransactionState;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long each open transaction this node coordinates has been open, for its timeout.
 *
 * <p>The stored start time is the wall clock of the coordinator that began the transaction. That
 * node's clock, or this one's, may be off by minutes (a stepped clock, a resumed VM), and trusting
 * it alone could keep a transaction open, and every read_committed reader of its partitions
 * stalled, for that long. So the age is also measured on this node's monotonic clock from when it
 * first saw the transaction open, and the larger of the two counts: a transaction is aborted at
 * most its timeout after this node took it over, and failovers cannot postpone it for good while
 * the clocks agree.
 */
final class TransactionAges {
  private record Seen(long producerId, int epoch, long sinceNanos) {}

  private final LongSupplier nanoTime;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  TransactionAges(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Whether the open transaction {@code ongoing} has outlived its timeout. */
  boolean timedOut(TransactionState ongoing, long wallNowMs) {
    long now = nanoTime.getAsLong();
    Seen first =
        seen.compute(
            ongoing.getTransactionalId(),
            (id, known) ->
                known != null
                        && known.producerId() == ongoing.getProducerId()
                        && known.epoch() == ongoing.getProducerEpoch()
                    ? known
                    : new Seen(ongoing.getProducerId(), ongoing.getProducerEpoch(), now));
    long monotonicAge = TimeUnit.NANOSECONDS.toMillis(now - first.sinceNanos());
    long wallAge = wallNowMs - ongoing.getStartTimeMs();
    return Math.max(monotonicAge, wallAge) > ongoing.getTimeoutMs();
  }

  /** Forgets every transactional id but {@code open}: the ones still open here. */
  void retainOnly(Set<String> open) {
    seen.keySet().retainAll(open);
  }
}
