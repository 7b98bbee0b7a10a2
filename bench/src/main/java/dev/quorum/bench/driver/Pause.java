package dev.quorum.bench.driver;

import java.util.concurrent.locks.LockSupport;

/** Pacing for a load generator (what to wait for here is wall-clock time itself). */
final class Pause {
  private Pause() {}

  static void millis(long ms) {
    untilNanos(System.nanoTime() + ms * 1_000_000L);
  }

  /** Parks until System.nanoTime() reaches {@code deadline}. */
  static void untilNanos(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
