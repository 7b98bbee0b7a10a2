package dev.quorum.bench.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces at a fixed rate to a one-partition topic, SIGKILLs the node leading it, and measures the
 * time from the kill to the first acknowledgement of a record sent after the kill. Prints {@code
 * KILLED_NODE n} so the caller can restart that node.
 */
final class LeaderFailover {
  private LeaderFailover() {}

  static void run(BenchSystem system, Args args, Results results) throws IOException {
    String topic = args.required("topic");
    String pidFilePattern = args.required("pid-file"); // with {node} for the node id
    double rate = args.number("rate", 200);
    Duration warmup = args.seconds("warmup", 5);
    Duration limit = args.seconds("limit", 60);
    int size = args.integer("size", 1024);
    system.createTopic(topic, 1);
    byte[] template = Payloads.random(size, 3);
    long periodNanos = Math.round(1e9 / rate);
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong firstAckAfterKill = new AtomicLong(Long.MAX_VALUE);
    AtomicLong errors = new AtomicLong();
    try (BenchSystem.Sender sender =
        system.newSender(new BenchSystem.SenderSettings(Duration.ZERO, 65536))) {
      long start = System.nanoTime();
      long killAfter = start + warmup.toNanos();
      int killed = -1;
      for (long i = 0; ; i++) {
        long intended = start + i * periodNanos;
        Pause.untilNanos(intended);
        long now = System.nanoTime();
        if (killed < 0 && now >= killAfter) {
          killed = system.leaderOf(topic, 0);
          kill(Path.of(pidFilePattern.replace("{node}", Integer.toString(killed))));
          killedAt.set(System.nanoTime());
          System.out.println("KILLED_NODE " + killed);
          System.out.flush();
        }
        long sentAt = System.nanoTime();
        sender.send(
            topic,
            template,
            (nanos, failure) -> {
              if (failure != null) {
                errors.incrementAndGet();
              } else if (sentAt > killedAt.get()) {
                firstAckAfterKill.accumulateAndGet(nanos, Math::min);
              }
            });
        if (firstAckAfterKill.get() != Long.MAX_VALUE) {
          break;
        }
        if (killed >= 0 && System.nanoTime() - killedAt.get() > limit.toNanos()) {
          break;
        }
      }
      long ms = (firstAckAfterKill.get() - killedAt.get()) / 1_000_000;
      results.record(
          "failover_ms", firstAckAfterKill.get() == Long.MAX_VALUE ? Double.NaN : ms, "ms");
      results.record("errors", errors.get(), "count");
    }
  }

  private static void kill(Path pidFile) throws IOException {
    long pid = Long.parseLong(Files.readString(pidFile).trim().split("\\s+")[0]);
    ProcessHandle process =
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
    // SIGKILL on Linux: the node gets no chance to hand over leadership.
    if (!process.destroyForcibly()) {
      throw new IllegalStateException("could not kill " + pid);
    }
  }
}
