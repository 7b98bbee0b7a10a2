package dev.quorum.bench.driver;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Producer-to-consumer latency at a fixed rate. Record i is due at start + i / rate and carries
 * that intended send time; the consumer (same JVM, same clock) records now minus the intended time.
 * A sender that falls behind (blocked client, stalled broker) therefore charges the delay to every
 * record it delayed: the histogram is corrected for coordinated omission.
 */
final class EndToEndLatency {
  private EndToEndLatency() {}

  static void run(BenchSystem system, Args args, Results results) throws InterruptedException {
    String topic = args.required("topic");
    int size = Math.max(8, args.integer("size", 1024));
    double rate = args.number("rate", 100);
    Duration warmup = args.seconds("warmup", 5);
    Duration measure = args.seconds("seconds", 10);
    BenchSystem.SenderSettings settings =
        new BenchSystem.SenderSettings(args.millis("linger-ms", 0), args.integer("batch", 65536));
    system.createTopic(topic, 1);
    try {
      measure(system, settings, topic, size, rate, warmup, measure, results);
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
      Duration warmup,
      Duration measure,
      Results results)
      throws InterruptedException {
    byte[] template = Payloads.random(size, 11);
    long periodNanos = Math.max(1, Math.round(1e9 / rate));
    long start = System.nanoTime() + Duration.ofMillis(200).toNanos();
    long from = start + warmup.toNanos();
    long to = from + measure.toNanos();
    long expected = (to - from + periodNanos - 1) / periodNanos;
    Histogram histogram = new Histogram(Duration.ofMinutes(2).toNanos(), 3);
    AtomicLong received = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicBoolean sending = new AtomicBoolean(true);
    long[] lastSeen = {0};

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
                        if (intended >= from && intended < to) {
                          histogram.recordValue(Math.max(0, now - intended));
                          received.incrementAndGet();
                        }
                      });
                  if (received.get() >= expected) {
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
      BenchSystem.Ack ack =
          (nanos, failure) -> {
            if (failure != null) {
              errors.incrementAndGet();
            }
          };
      for (long i = 0; ; i++) {
        long intended = start + i * periodNanos;
        if (intended >= to) {
          break;
        }
        Pause.untilNanos(intended);
        sender.send(topic, Payloads.stamped(template, intended), ack);
      }
      sender.flush();
    } finally {
      sending.set(false);
    }
    readerThread.join();
    results.record("rate", rate, "msg/s");
    results.record("p50_ms", histogram.getValueAtPercentile(50) / 1e6, "ms");
    results.record("p99_ms", histogram.getValueAtPercentile(99) / 1e6, "ms");
    results.record("p999_ms", histogram.getValueAtPercentile(99.9) / 1e6, "ms");
    results.record("max_ms", histogram.getMaxValue() / 1e6, "ms");
    results.record("lost", expected - lastSeen[0], "count");
    results.record("errors", errors.get(), "count");
  }
}
