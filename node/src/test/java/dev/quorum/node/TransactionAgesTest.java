package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.protocol.raft.TransactionState;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When an open transaction times out, whatever the coordinators' wall clocks say. */
class TransactionAgesTest {
  private static final long WALL_NOW = 1_000_000_000L;
  private static final int TIMEOUT_MS = 20_000;

  private long nanos = 0;
  private final TransactionAges ages = new TransactionAges(() -> nanos);

  @Test
  void aTransactionStampedByAClockMinutesAheadStillTimesOutAfterItsTimeout() {
    TransactionState stampedAhead = ongoing(7, WALL_NOW + 246_000);

    assertThat(ages.timedOut(stampedAhead, WALL_NOW)).isFalse();
    elapse(TIMEOUT_MS);
    assertThat(ages.timedOut(stampedAhead, WALL_NOW + TIMEOUT_MS)).isFalse();
    elapse(1);
    assertThat(ages.timedOut(stampedAhead, WALL_NOW + TIMEOUT_MS + 1)).isTrue();
  }

  @Test
  void aTransactionOpenLongerThanItsTimeoutByTheWallClockTimesOutAtOnceAfterAFailover() {
    assertThat(ages.timedOut(ongoing(7, WALL_NOW - TIMEOUT_MS - 1), WALL_NOW)).isTrue();
    assertThat(ages.timedOut(ongoing(8, WALL_NOW - TIMEOUT_MS + 5_000), WALL_NOW)).isFalse();
  }

  @Test
  void theNextTransactionOfTheIdIsTimedFromWhenItWasSeen() {
    long start = WALL_NOW + 300_000; // every stamp ahead: only the monotonic age counts
    ages.timedOut(ongoing(7, start), WALL_NOW);
    elapse(TIMEOUT_MS - 1_000);
    assertThat(ages.timedOut(ongoing(8, start), WALL_NOW)).isFalse();

    elapse(2_000); // epoch 7 would have timed out by now; epoch 8 is 2 s old
    assertThat(ages.timedOut(ongoing(8, start), WALL_NOW)).isFalse();
    elapse(TIMEOUT_MS - 1_000);
    assertThat(ages.timedOut(ongoing(8, start), WALL_NOW)).isTrue();
  }

  @Test
  void anIdNoLongerOpenHereIsForgotten() {
    long start = WALL_NOW + 300_000;
    ages.timedOut(ongoing(7, start), WALL_NOW);
    elapse(TIMEOUT_MS + 1);
    ages.retainOnly(Set.of());

    assertThat(ages.timedOut(ongoing(7, start), WALL_NOW)).isFalse();
  }

  private void elapse(long millis) {
    nanos += TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static TransactionState ongoing(int epoch, long startTimeMs) {
    return TransactionState.newBuilder()
        .setTransactionalId("tx")
        .setProducerId(42)
        .setProducerEpoch(epoch)
        .setPhase(TransactionState.Phase.ONGOING)
        .setStartTimeMs(startTimeMs)
        .setTimeoutMs(TIMEOUT_MS)
        .build();
  }
}
