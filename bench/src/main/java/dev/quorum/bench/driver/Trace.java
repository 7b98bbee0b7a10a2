package dev.quorum.bench.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-record timings of one end-to-end run, for finding where a latency tail comes from. Records
 * are indexed by their due time, so the sender and the reader write without sharing a lock.
 */
final class Trace {
  private final AtomicLongArray acked;
  private final AtomicLongArray read;
  private volatile long start;
  private final long periodNanos;
  private volatile long from;

  Trace(double rate, Duration window) {
    int slots = (int) Math.ceil(rate * (window.toNanos() / 1e9)) + 2;
    acked = new AtomicLongArray(slots);
    read = new AtomicLongArray(slots);
    periodNanos = Math.max(1, Math.round(1e9 / rate));
  }

  void start(long startNanos, long fromNanos) {
    start = startNanos;
    from = fromNanos;
  }

  void acked(long intended, long nanos) {
    set(acked, intended, nanos);
  }

  void read(long intended, long nanos) {
    set(read, intended, nanos);
  }

  private void set(AtomicLongArray slots, long intended, long nanos) {
    long i = (intended - start) / periodNanos;
    if (i >= 0 && i < slots.length()) {
      slots.set((int) i, nanos);
    }
  }

  /** Writes "due_ms ack_ms e2e_ms" per measured record; -1 where it never happened. */
  void write(Path file) {
    try (Writer out = Files.newBufferedWriter(file)) {
      long fromEpochMillis = System.currentTimeMillis() - (System.nanoTime() - from) / 1_000_000;
      out.write("# window opened at " + Instant.ofEpochMilli(fromEpochMillis) + "\n");
      out.write("due_ms\tack_ms\te2e_ms\n");
      for (int i = 0; i < acked.length(); i++) {
        long intended = start + i * periodNanos;
        if (intended < from) {
          continue;
        }
        out.write(
            String.format(
                "%.3f\t%s\t%s%n",
                (intended - from) / 1e6,
                since(intended, acked.get(i)),
                since(intended, read.get(i))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String since(long intended, long nanos) {
    return nanos == 0 ? "-1" : String.format("%.3f", (nanos - intended) / 1e6);
  }
}
