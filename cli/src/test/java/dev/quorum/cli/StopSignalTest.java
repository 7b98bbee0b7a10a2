package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class StopSignalTest {
  private final CliRunner.RecordedHooks hooks = new CliRunner.RecordedHooks();
  private final AtomicBoolean abandoned = new AtomicBoolean();

  @Test
  void shutdownRequestsAStopAndWaitsUntilTheLoopFinished() throws InterruptedException {
    StopSignal signal = new StopSignal(hooks, Duration.ofSeconds(30), () -> abandoned.set(true));
    assertThat(signal.requested()).isFalse();

    hooks.shutDown();
    Thread hook = hooks.started.get(0);
    awaitTrue(signal::requested);
    assertThat(hook.isAlive()).as("hook waits for the loop").isTrue();

    signal.close();
    hook.join(10_000);
    assertThat(hook.isAlive()).isFalse();
    assertThat(abandoned).isFalse();
    assertThat(hooks.registered).isEmpty();
  }

  @Test
  void shutdownGivesUpOnALoopThatDoesNotFinish() throws InterruptedException {
    new StopSignal(hooks, Duration.ofMillis(50), () -> abandoned.set(true));

    hooks.shutDown();
    hooks.started.get(0).join(10_000);

    assertThat(abandoned).isTrue();
  }

  @Test
  void alreadyShuttingDownMeansStopAtOnce() {
    ShutdownHooks refusing =
        new ShutdownHooks() {
          @Override
          public boolean add(Thread hook) {
            return false;
          }

          @Override
          public void remove(Thread hook) {
            throw new AssertionError("never registered");
          }
        };

    try (StopSignal signal = new StopSignal(refusing, Duration.ofSeconds(1), () -> {})) {
      assertThat(signal.requested()).isTrue();
    }
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10s").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }
}
