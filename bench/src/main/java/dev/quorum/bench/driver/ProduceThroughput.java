package dev.quorum.bench.driver;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unthrottled producer: one thread sends as fast as the client accepts (it blocks when its buffer
 * is full) for a warm-up, then for the measured window; counts the acknowledgements that arrive
 * inside the window.
 */
final class ProduceThroughput {
  private ProduceThroughput() {}

  static void run(BenchSystem system, Args args, Results results) {
    String topic = args.required("topic");
    int partitions = args.integer("partitions", 1);
    int size = args.integer("size", 1024);
    Duration warmup = args.seconds("warmup", 5);
    Duration measure = args.seconds("seconds", 10);
    BenchSystem.SenderSettings settings =
        new BenchSystem.SenderSettings(args.millis("linger-ms", 5), args.integer("batch", 65536));
    system.createTopic(topic, partitions);
    try {
      Window window = measure(system, settings, topic, size, warmup, measure);
      double seconds = measure.toNanos() / 1e9;
      results.record("rec_s", window.acked() / seconds, "rec/s");
      results.record("mib_s", window.acked() * (double) size / seconds / (1 << 20), "MiB/s");
      results.record("errors", window.errors(), "count");
    } finally {
      system.deleteTopic(topic);
    }
  }

  record Window(long acked, long errors) {}

  /** Sends for warmup + measure; returns what was acknowledged inside the measured part. */
  static Window measure(
      BenchSystem system,
      BenchSystem.SenderSettings settings,
      String topic,
      int size,
      Duration warmup,
      Duration measure) {
    byte[] value = Payloads.random(size, 42);
    long start = System.nanoTime();
    long from = start + warmup.toNanos();
    long to = from + measure.toNanos();
    AtomicLong acked = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    BenchSystem.Ack ack =
        (nanos, failure) -> {
          if (nanos >= from && nanos < to) {
            if (failure != null) {
              errors.incrementAndGet();
            } else {
              acked.incrementAndGet();
            }
          }
        };
    BenchSystem.Sender sender = system.newSender(settings);
    try {
      while (System.nanoTime() < to) {
        sender.send(topic, value, ack);
      }
    } finally {
      // What is still buffered after the window does not count: don't wait long for it.
      sender.close(Duration.ofSeconds(2));
    }
    return new Window(acked.get(), errors.get());
  }
}
