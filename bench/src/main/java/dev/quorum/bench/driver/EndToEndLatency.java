package dev.quorum.bench.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Producer-to-consumer latency at a fixed rate. Record i is due at start + i / rate and carries
 * that intended send time; the consumer (same JVM, same clock) records now minus the intended time.
 * A sender that falls behind (blocked client, stalled broker) therefore charges the delay to every
 * record it delayed: the histogram is corrected for coordinated omission. Before the clock starts,
 * a burst ({@code --burst}, default 10,000 records) is sent and read back, the same for every
 * system, so that the fresh client JVM is compiled rather than interpreted.
 *
 * <p>{@code --trace FILE} writes one line per measured record: when it was due (ms since the window
 * opened), and how long after that it was acknowledged and read. A tail made of a few stalls then
 * shows as runs of neighbouring records, spread-out delays as isolated ones.
 */
final class EndToEndLatency {
  /** The stamp of the warm-up burst's records: below every measured send time. */
  private static final long BURST_STAMP = Long.MIN_VALUE;

  private EndToEndLatency() {}

  static void run(BenchSystem system, Args args, Results results) throws InterruptedException {
    String topic = args.required("topic");
    int size = Math.max(8, args.integer("size", 1024));
    double rate = args.number("rate", 100);
    Duration warmup = args.seconds("warmup", 5);
    Duration measure = args.seconds("seconds", 10);
    int burst = args.integer("burst", 10_000);
    String trace = args.string("trace", null);
    BenchSystem.SenderSettings settings =
        new BenchSystem.SenderSettings(args.millis("linger-ms", 0), args.integer("batch", 65536));
    system.createTopic(topic, 1);
    try {
      measure(system, settings, topic, size, rate, burst, warmup, measure, trace, results);
    } finally {
      system.deleteTopic(topic);
    }
  }

  private static void measure(
      BenchSystem system,
      BenchSystem.SenderSettings settings,
      String topic,
      int size,
      double rate,
      int burst,
      Duration warmup,
      Duration measure,
      String trace,
      Results results)
      throws InterruptedException {
    byte[] template = Payloads.random(size, 11);
    long periodNanos = Math.max(1, Math.round(1e9 / rate));
    Histogram histogram = new Histogram(Duration.ofMinutes(2).toNanos(), 3);
    AtomicLong burstSeen = new AtomicLong();
    AtomicLong received = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicBoolean sending = new AtomicBoolean(true);
    // Set once the burst has been read: until then no record counts.
    AtomicLong from = new AtomicLong(Long.MAX_VALUE);
    AtomicLong to = new AtomicLong(Long.MAX_VALUE);
    AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
    long[] lastSeen = {0};
    Trace traced = trace == null ? null : new Trace(rate, warmup.plus(measure));

    Thread readerThread =
        new Thread(
            () -> {
              try (BenchSystem.Reader reader = system.newReader(topic)) {
                long graceEnd = Long.MAX_VALUE;
                while (System.nanoTime() < graceEnd) {
                  reader.poll(
                      Duration.ofMillis(100),
                      value -> {
                        long now = System.nanoTime();
                        long intended = Payloads.stampOf(value);
                        if (intended == BURST_STAMP) {
                          burstSeen.incrementAndGet();
                        } else if (intended >= from.get() && intended < to.get()) {
                          histogram.recordValue(Math.max(0, now - intended));
                          received.incrementAndGet();
                          if (traced != null) {
                            traced.read(intended, now);
                          }
                        }
                      });
                  if (received.get() >= expected.get()) {
                    break;
                  }
                  if (!sending.get() && graceEnd == Long.MAX_VALUE) {
                    graceEnd = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                  }
                }
                lastSeen[0] = received.get();
              }
            },
            "e2e-reader");
    readerThread.start();
    try (BenchSystem.Sender sender = system.newSender(settings)) {
      BenchSystem.Ack burstAck =
          (nanos, failure) -> {
            if (failure != null) {
              errors.incrementAndGet();
            }
          };
      // Each run is a fresh client JVM: a burst, read back before the clock starts, compiles the
      // client's send and receive paths (and the node's), as the servers' global warm-up cannot.
      byte[] burstValue = Payloads.stamped(template, BURST_STAMP);
      for (int i = 0; i < burst; i++) {
        sender.send(topic, burstValue, burstAck);
      }
      sender.flush();
      long burstDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (burstSeen.get() < burst && System.nanoTime() < burstDeadline) {
        Pause.millis(5);
      }
      long start = System.nanoTime() + Duration.ofMillis(200).toNanos();
      from.set(start + warmup.toNanos());
      to.set(from.get() + measure.toNanos());
      expected.set((to.get() - from.get() + periodNanos - 1) / periodNanos);
      if (traced != null) {
        traced.start(start, from.get());
      }
      for (long i = 0; ; i++) {
        long intended = start + i * periodNanos;
        if (intended >= to.get()) {
          break;
        }
        Pause.untilNanos(intended);
        BenchSystem.Ack ack =
            traced == null
                ? burstAck
                : (nanos, failure) -> {
                  burstAck.done(nanos, failure);
                  traced.acked(intended, nanos);
                };
        sender.send(topic, Payloads.stamped(template, intended), ack);
      }
      sender.flush();
    } finally {
      sending.set(false);
    }
    readerThread.join();
    if (traced != null) {
      traced.write(Path.of(trace));
    }
    results.record("rate", rate, "msg/s");
    results.record("p50_ms", histogram.getValueAtPercentile(50) / 1e6, "ms");
    results.record("p99_ms", histogram.getValueAtPercentile(99) / 1e6, "ms");
    results.record("p999_ms", histogram.getValueAtPercentile(99.9) / 1e6, "ms");
    results.record("max_ms", histogram.getMaxValue() / 1e6, "ms");
    results.record("lost", expected.get() - lastSeen[0], "count");
    results.record("errors", errors.get(), "count");
  }
}
