package dev.quorum.bench.driver;

import java.time.Duration;

/**
 * Scale helpers: {@code create} makes a topic of N partitions and waits until all have leaders;
 * {@code wait} only waits (after a restart). Both print and record the time it took.
 */
final class ScaleTopic {
  private ScaleTopic() {}

  static void run(BenchSystem system, Args args, Results results, boolean create) {
    String topic = args.required("topic");
    int partitions = args.integer("partitions", 10);
    Duration limit = args.seconds("limit", 600);
    long start = System.nanoTime();
    if (create) {
      try {
        system.createTopic(topic, partitions);
      } catch (RuntimeException e) {
        // Creating many partitions can outlast the client's request timeout; keep waiting below.
        System.err.println("create " + topic + ": " + e.getMessage() + " (waiting for leaders)");
      }
    }
    long deadline = start + limit.toNanos();
    int led = 0;
    while (System.nanoTime() < deadline) {
      try {
        led = system.partitionsWithLeader(topic);
      } catch (RuntimeException e) {
        led = 0;
      }
      if (led >= partitions) {
        break;
      }
      Pause.millis(500);
    }
    double ms = (System.nanoTime() - start) / 1e6;
    results.record(create ? "create_ms" : "leaders_ms", led >= partitions ? ms : Double.NaN, "ms");
    results.record("partitions_led", led, "count");
  }
}
