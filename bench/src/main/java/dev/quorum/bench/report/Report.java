package dev.quorum.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns scripts/bench's raw.tsv into results.json (one entry per workload and metric: Quorum's
 * median, Kafka's median and the ratio), results.md (the table it also prints) and SVG charts.
 */
public final class Report {
  /**
   * Plain Ratis 3.3.0 on this machine kind (shared/peers/ratis-raw: 3 JVMs, no-op state machine,
   * fsync on): about 1,400 entries/s of 16 KiB once C2 has compiled. Not measured in the same run.
   */
  static final double PLAIN_RATIS_MIB_S = 1400 * 16.0 / 1024;

  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Report RAW.tsv OUT_DIR");
      System.exit(2);
    }
    Path out = Path.of(args[1]);
    Map<String, Measurement> all = read(Path.of(args[0]));
    String table = table(all);
    System.out.print(table);
    Files.writeString(out.resolve("results.md"), table, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("results.json"), json(all), StandardCharsets.UTF_8);
    chart(
        out,
        "throughput.svg",
        "Producer and consumer throughput",
        "records/s",
        all,
        "rec_s",
        c -> c.startsWith("produce") || c.startsWith("consume"));
    chart(
        out,
        "latency-low.svg",
        "End-to-end latency at a fixed low rate",
        "ms",
        all,
        List.of("p50_ms", "p99_ms", "p999_ms"),
        "e2e-1KiB-low");
    chart(
        out,
        "latency-half-peak.svg",
        "End-to-end latency at 50% of each system's peak",
        "ms",
        all,
        List.of("p50_ms", "p99_ms", "p999_ms"),
        "e2e-1KiB-half-peak");
    chart(
        out,
        "failover.svg",
        "Leader SIGKILL to next acknowledged produce",
        "ms",
        all,
        "failover_ms",
        c -> c.equals("failover"));
    chart(
        out,
        "rss.svg",
        "Largest node RSS by partition count (RF=3)",
        "MiB",
        all,
        "rss_mib_max_node",
        c -> c.startsWith("scale-") && !c.endsWith("restart"));
    chart(
        out,
        "threads.svg",
        "Largest node thread count by partition count (RF=3)",
        "threads",
        all,
        "threads_max_node",
        c -> c.startsWith("scale-") && !c.endsWith("restart"));
  }

  static Map<String, Measurement> read(Path raw) throws IOException {
    Map<String, Measurement> all = new LinkedHashMap<>();
    for (String line : Files.readAllLines(raw, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t");
      if (f.length < 6) {
        continue;
      }
      Measurement m =
          all.computeIfAbsent(f[0] + "\t" + f[3], k -> new Measurement(f[0], f[3], f[5]));
      double value = Double.parseDouble(f[4]);
      (f[1].equals("quorum") ? m.ours : m.kafka).add(value);
    }
    return all;
  }

  static String table(Map<String, Measurement> all) {
    StringBuilder s = new StringBuilder();
    s.append("| workload | metric | Quorum | Kafka 4.2 | Quorum / Kafka | better | runs |\n");
    s.append("|---|---|---:|---:|---:|---|---|\n");
    for (Measurement m : all.values()) {
      if (!m.headline()) {
        continue;
      }
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %s (%s) | %s | %s | %s | %s | %d / %d |%n",
              m.caseName,
              m.metric,
              m.unit,
              Svg.format(m.oursMedian()),
              m.kafka.isEmpty() ? "-" : Svg.format(m.kafkaMedian()),
              m.kafka.isEmpty() ? "-" : Svg.format(m.ratio()),
              m.metric.equals("rate") ? "" : m.higherIsBetter() ? "higher" : "lower",
              m.ours.size(),
              m.kafka.size()));
    }
    s.append(
            "\nQuorum's producer throughput against the plain-Ratis ceiling measured earlier on this")
        .append(" machine kind (shared/peers/ratis-raw, ")
        .append(Svg.format(PLAIN_RATIS_MIB_S))
        .append(" MiB/s of 16 KiB entries, no-op state machine):\n\n");
    for (Measurement m : all.values()) {
      if (m.metric.equals("mib_s") && m.caseName.startsWith("produce")) {
        s.append(
            String.format(
                Locale.ROOT,
                "- %s: %s MiB/s = %s of plain Ratis%n",
                m.caseName,
                Svg.format(m.oursMedian()),
                Svg.format(m.oursMedian() / PLAIN_RATIS_MIB_S)));
      }
    }
    return s.toString();
  }

  static String json(Map<String, Measurement> all) {
    StringBuilder s = new StringBuilder();
    s.append("{\n  \"generated\": \"").append(Instant.now()).append("\",\n");
    s.append("  \"plain_ratis_mib_s\": ").append(num(PLAIN_RATIS_MIB_S)).append(",\n");
    s.append("  \"workloads\": [\n");
    List<String> entries = new ArrayList<>();
    for (Measurement m : all.values()) {
      entries.add(
          String.format(
              Locale.ROOT,
              "    {\"workload\": \"%s\", \"metric\": \"%s\", \"unit\": \"%s\", \"ours\": %s,"
                  + " \"kafka\": %s, \"ratio\": %s, \"higher_is_better\": %s,"
                  + " \"runs_ours\": %s, \"runs_kafka\": %s}",
              m.caseName,
              m.metric,
              m.unit,
              num(m.oursMedian()),
              num(m.kafkaMedian()),
              num(m.ratio()),
              m.higherIsBetter(),
              list(m.ours),
              list(m.kafka)));
    }
    s.append(String.join(",\n", entries)).append("\n  ]\n}\n");
    return s.toString();
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
  }

  private static String list(List<Double> values) {
    return values.stream().map(Report::num).toList().toString();
  }

  private static void chart(
      Path out,
      String file,
      String title,
      String unit,
      Map<String, Measurement> all,
      String metric,
      Predicate<String> cases)
      throws IOException {
    List<Svg.Bar> bars = new ArrayList<>();
    for (Measurement m : all.values()) {
      if (m.metric.equals(metric) && cases.test(m.caseName)) {
        bars.add(new Svg.Bar(m.caseName, m.oursMedian(), m.kafkaMedian()));
      }
    }
    if (!bars.isEmpty()) {
      Files.writeString(out.resolve(file), Svg.bars(title, unit, bars), StandardCharsets.UTF_8);
    }
  }

  private static void chart(
      Path out,
      String file,
      String title,
      String unit,
      Map<String, Measurement> all,
      List<String> metrics,
      String caseName)
      throws IOException {
    List<Svg.Bar> bars = new ArrayList<>();
    for (String metric : metrics) {
      Measurement m = all.get(caseName + "\t" + metric);
      if (m != null) {
        bars.add(new Svg.Bar(metric, m.oursMedian(), m.kafkaMedian()));
      }
    }
    if (!bars.isEmpty()) {
      Files.writeString(out.resolve(file), Svg.bars(title, unit, bars), StandardCharsets.UTF_8);
    }
  }
}
