package dev.quorum.bench.driver;

import java.time.Duration;

/**
 * Fills a topic (not measured), reads it all once to warm the read path, then measures a second,
 * fresh reader reading every record from the beginning.
 */
final class ConsumeThroughput {
  private ConsumeThroughput() {}

  static void run(BenchSystem system, Args args, Results results) {
    String topic = args.required("topic");
    int partitions = args.integer("partitions", 6);
    int size = args.integer("size", 1024);
    long records = args.integer("records", 200_000);
    system.createTopic(topic, partitions);
    try {
      fill(system, topic, size, records);
      readAll(system, topic, records);
      long nanos = readAll(system, topic, records);
      double seconds = nanos / 1e9;
      results.record("rec_s", records / seconds, "rec/s");
      results.record("mib_s", records * (double) size / seconds / (1 << 20), "MiB/s");
    } finally {
      system.deleteTopic(topic);
    }
  }

  private static void fill(BenchSystem system, String topic, int size, long records) {
    byte[] value = Payloads.random(size, 7);
    BenchSystem.Ack ack =
        (nanos, failure) -> {
          if (failure != null) {
            throw new IllegalStateException("fill failed", failure);
          }
        };
    try (BenchSystem.Sender sender =
        system.newSender(new BenchSystem.SenderSettings(Duration.ofMillis(5), 65536))) {
      for (long i = 0; i < records; i++) {
        sender.send(topic, value, ack);
      }
      sender.flush();
    }
  }

  /** Nanoseconds to read {@code records} records from the beginning with a new reader. */
  private static long readAll(BenchSystem system, String topic, long records) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    try (BenchSystem.Reader reader = system.newReader(topic)) {
      long start = System.nanoTime();
      long read = 0;
      while (read < records) {
        read += reader.poll(Duration.ofMillis(500), v -> {});
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("read only " + read + " of " + records + " in 120 s");
        }
      }
      return System.nanoTime() - start;
    }
  }
}
