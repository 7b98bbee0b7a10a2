package dev.quorum.chaos.check;

import java.util.List;

/**
 * The verdict of one check.
 *
 * @param name the anomaly the check looks for, e.g. {@code lost-write}
 * @param guarantee what it protects: at-least-once, exactly-once, transactions or liveness
 * @param status passed, failed, or skipped when the run had nothing to judge
 * @param count how many anomalies were found
 * @param examples up to {@link #MAX_EXAMPLES} human-readable instances
 */
public record CheckResult(
    String name, String guarantee, Status status, int count, List<String> examples) {
  public static final int MAX_EXAMPLES = 10;

  /** The outcome of a check. */
  public enum Status {
    passed,
    failed,
    skipped
  }

  public CheckResult {
    examples = List.copyOf(examples.subList(0, Math.min(examples.size(), MAX_EXAMPLES)));
  }

  public static CheckResult of(String name, String guarantee, List<String> anomalies) {
    return new CheckResult(
        name,
        guarantee,
        anomalies.isEmpty() ? Status.passed : Status.failed,
        anomalies.size(),
        anomalies);
  }

  public static CheckResult skipped(String name, String guarantee, String why) {
    return new CheckResult(name, guarantee, Status.skipped, 0, List.of(why));
  }

  public boolean failed() {
    return status == Status.failed;
  }
}
