package dev.quorum.client.internal;

import java.time.Duration;

/** Exponential backoff: base, 2×base, 4×base… capped. Not thread-safe. */
final class Backoff {
  private final long baseNanos;
  private final long maxNanos;
  private int attempts;

  Backoff(Duration base, Duration max) {
    this.baseNanos = base.toNanos();
    this.maxNanos = Math.max(base.toNanos(), max.toNanos());
  }

  static long nanos(Duration base, Duration max, int attempt) {
    long b = base.toNanos();
    long shifted = attempt >= 30 ? Long.MAX_VALUE : b << Math.max(0, attempt);
    if (shifted < 0 || shifted > Math.max(b, max.toNanos())) {
      return Math.max(b, max.toNanos());
    }
    return shifted;
  }

  long nextNanos() {
    return nanos(Duration.ofNanos(baseNanos), Duration.ofNanos(maxNanos), attempts++);
  }

  void reset() {
    attempts = 0;
  }
}
