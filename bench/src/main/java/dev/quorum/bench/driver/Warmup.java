package dev.quorum.bench.driver;

import java.time.Duration;

/**
 * Unrecorded load so that both systems' JITs have compiled their hot paths before anything is
 * measured: unthrottled 1 KiB produce passes to a 3-partition topic, then one full read.
 */
final class Warmup {
  private Warmup() {}

  static void run(BenchSystem system, Args args) {
    String topic = args.string("topic", "bench-warmup");
    Duration total = args.seconds("seconds", 30);
    system.createTopic(topic, 3);
    try {
      ProduceThroughput.Window w =
          ProduceThroughput.measure(
              system,
              new BenchSystem.SenderSettings(Duration.ofMillis(5), 65536),
              topic,
              1024,
              Duration.ZERO,
              total);
      System.out.printf("warm-up %s: %d acks in %s%n", system.name(), w.acked(), total);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      try (BenchSystem.Reader reader = system.newReader(topic)) {
        long read = 0;
        while (read < w.acked() && System.nanoTime() < deadline) {
          read += reader.poll(Duration.ofMillis(500), v -> {});
        }
      }
    } finally {
      system.deleteTopic(topic);
    }
  }
}
