package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AppendNotifierTest {
  @Test
  void aSignalWakesOnlyTheWaitersWhoseConditionHolds() {
    AppendNotifier notifier = new AppendNotifier();
    AtomicLong end = new AtomicLong(5);
    CompletableFuture<Void> atFive = notifier.await(() -> end.get() > 5);
    CompletableFuture<Void> atNine = notifier.await(() -> end.get() > 9);

    end.set(6);
    notifier.signal();
    assertThat(atFive).isDone();
    assertThat(atNine).isNotDone();
    assertThat(notifier.waiting()).isEqualTo(1);
  }

  @Test
  void aReaderThatGivesUpLeavesNothingBehind() {
    AppendNotifier notifier = new AppendNotifier();
    for (int i = 0; i < 1_000; i++) {
      notifier.await(() -> false).cancel(false);
    }
    // An idle partition polled by long fetches that time out must not accumulate waiters.
    assertThat(notifier.waiting()).isZero();
  }

  @Test
  void aConditionAlreadyTrueCompletesAtOnceWithoutRegistering() {
    AppendNotifier notifier = new AppendNotifier();
    assertThat(notifier.await(() -> true)).isDone();
    assertThat(notifier.waiting()).isZero();
  }
}
