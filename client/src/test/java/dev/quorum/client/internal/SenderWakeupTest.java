package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SenderWakeupTest {
  private final SenderWakeup wakeup = new SenderWakeup();

  @Test
  void anAwakeSenderIsNeverWokenItLooksAtTheQueueBeforeParking() {
    assertThat(wakeup.mustWake(0, 1 << 20)).isFalse();

    wakeup.parking(1_000, 100);
    wakeup.awake();
    assertThat(wakeup.mustWake(0, 1 << 20)).isFalse();
  }

  @Test
  void aRecordDueBeforeTheSenderWakesByItselfWakesIt() {
    wakeup.parking(1_000, 100);

    assertThat(wakeup.mustWake(999, 1)).isTrue();
  }

  @Test
  void aParkedSenderIsWokenOnceHowEverManyRecordsComeBeforeItRuns() {
    wakeup.parking(1_000, 100);

    assertThat(wakeup.mustWake(999, 1)).isTrue();
    assertThat(wakeup.mustWake(999, 1)).isFalse();
    assertThat(wakeup.mustWake(5_000, 200)).isFalse();

    wakeup.awake();
    wakeup.parking(2_000, 100);
    assertThat(wakeup.mustWake(1_999, 1)).isTrue();
  }

  @Test
  void recordsJoiningALingeringBatchLetTheSenderSleepUntilTheyFillOne() {
    wakeup.parking(1_000, 100);

    assertThat(wakeup.mustWake(1_000, 40)).isFalse();
    assertThat(wakeup.mustWake(5_000, 40)).isFalse();
    assertThat(wakeup.mustWake(5_000, 20)).isTrue();
  }

  @Test
  void bytesCountFromTheLatestParking() {
    wakeup.parking(1_000, 100);
    assertThat(wakeup.mustWake(5_000, 90)).isFalse();
    wakeup.awake();

    wakeup.parking(2_000, 100);
    assertThat(wakeup.mustWake(5_000, 90)).isFalse();
  }

  @Test
  void deadlinesCompareAcrossTheWrapOfNanoTime() {
    wakeup.parking(Long.MIN_VALUE + 10, 100);

    assertThat(wakeup.mustWake(Long.MAX_VALUE - 10, 1)).isTrue();
    assertThat(wakeup.mustWake(Long.MIN_VALUE + 20, 1)).isFalse();
  }

  @Test
  void aPartitionAlreadyNearlyFullWakesTheSenderOnItsFirstByte() {
    wakeup.parking(1_000, 0);

    assertThat(wakeup.mustWake(5_000, 1)).isTrue();
  }
}
