package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import java.util.ArrayList;
import java.util.List;

/** The checks a run applies, chosen by what the workload promises. */
public final class Checkers {
  private Checkers() {}

  /**
   * Every check that applies: at-least-once always; {@code duplicate} only when every writer used
   * the idempotent producer (without it, duplicates after retries are expected).
   */
  public static List<Checker> forRun(boolean idempotentWriters) {
    List<Checker> checks = new ArrayList<>();
    checks.add(new DeliveryChecks.LostWrite());
    checks.add(new DeliveryChecks.Unseen());
    checks.add(new DeliveryChecks.Unexpected());
    checks.add(new DeliveryChecks.InconsistentOffsets());
    checks.add(new DeliveryChecks.AbortedRead());
    checks.add(new DeliveryChecks.LostMiddle());
    checks.add(new OrderChecks.RealtimeOrder());
    checks.add(new OrderChecks.PollContiguity());
    checks.add(new OrderChecks.CommitWithoutGap());
    if (idempotentWriters) {
      checks.add(new ExactlyOnceChecks.Duplicate());
    }
    checks.add(new ExactlyOnceChecks.TornTransaction());
    checks.add(new ExactlyOnceChecks.PrecommittedRead());
    checks.add(new ConsumeOnce());
    checks.add(new ProducerSequence());
    checks.add(new BankCheck());
    checks.add(new ClusterChecks.ReplicaConvergence());
    checks.add(new ClusterChecks.Recovery());
    return List.copyOf(checks);
  }

  /** Every check by name, for unit tests and the report. */
  public static Checker byName(String name) {
    return forRun(true).stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no check named " + name));
  }

  public static List<CheckResult> run(List<Checker> checks, History history, FinalState state) {
    Observations observations = new Observations(history);
    return checks.stream().map(c -> c.check(observations, state)).toList();
  }
}
