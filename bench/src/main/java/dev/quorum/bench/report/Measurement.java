package dev.quorum.bench.report;

import java.util.ArrayList;
import java.util.List;

/** One metric of one workload: every run's value per system, and how to compare them. */
final class Measurement {
  final String caseName;
  final String metric;
  final String unit;
  final List<Double> ours = new ArrayList<>();
  final List<Double> kafka = new ArrayList<>();

  Measurement(String caseName, String metric, String unit) {
    this.caseName = caseName;
    this.metric = metric;
    this.unit = unit;
  }

  double oursMedian() {
    return median(ours);
  }

  double kafkaMedian() {
    return median(kafka);
  }

  /** Quorum / Kafka, or NaN when either is missing or Kafka's is zero. */
  double ratio() {
    double k = kafkaMedian();
    return k == 0 ? Double.NaN : oursMedian() / k;
  }

  /** Whether a larger value is the better one (throughput) or the worse one (time, memory). */
  boolean higherIsBetter() {
    return metric.equals("rec_s") || metric.equals("mib_s");
  }

  /** Only the figures a reader compares; counters such as errors stay in results.json. */
  boolean headline() {
    return switch (metric) {
      case "rec_s",
          "mib_s",
          "p50_ms",
          "p99_ms",
          "p999_ms",
          "failover_ms",
          "rss_mib_max_node",
          "threads_max_node",
          "startup_ms",
          "rate" ->
          true;
      default -> false;
    };
  }

  static double median(List<Double> values) {
    List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }
}
