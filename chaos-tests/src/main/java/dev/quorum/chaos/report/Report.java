package dev.quorum.chaos.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.quorum.chaos.check.CheckResult;
import dev.quorum.chaos.check.ReplicaDump;
import dev.quorum.chaos.harness.TryResult;
import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one try's report directory: {@code scenario.json}, {@code history.jsonl}, {@code
 * faults.json}, {@code results.json}, {@code summary.txt}, {@code offsets-p<N>.svg} (acknowledged
 * and read offsets over time, fault periods shaded), {@code latency.svg} and {@code replicas/}
 * (every replica as read from its node's disk after the try).
 */
public final class Report {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private Report() {}

  public static void write(TryResult result, Path dir) throws IOException {
    Files.createDirectories(dir);
    result.scenario().write(dir.resolve("scenario.json"));
    result.history().writeJsonl(dir.resolve("history.jsonl"));
    Files.writeString(dir.resolve("faults.json"), GSON.toJson(result.faults()), UTF8);
    Files.writeString(dir.resolve("results.json"), GSON.toJson(result.results()), UTF8);
    Files.writeString(
        dir.resolve("final-state.json"),
        GSON.toJson(result.finalState().withDumps(Map.of())),
        UTF8);
    writeDumps(result.finalState().dumps(), dir.resolve("replicas"));
    Files.writeString(dir.resolve("summary.txt"), summary(result), UTF8);
    long end =
        result.history().ops().isEmpty()
            ? 1
            : result.history().ops().get(result.history().ops().size() - 1).time();
    for (int p = 0; p < result.scenario().partitions(); p++) {
      Files.writeString(dir.resolve("offsets-p" + p + ".svg"), offsetsChart(result, p, end), UTF8);
    }
    Files.writeString(dir.resolve("latency.svg"), latencyChart(result, end), UTF8);
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static final Gson LINES = new GsonBuilder().disableHtmlEscaping().create();

  /**
   * {@code replicas/p<P>-node<N>.jsonl}: one stored batch per line; {@code replicas/extents.json}:
   * each replica's start and end offsets (or why it could not be read).
   */
  private static void writeDumps(Map<Integer, Map<Integer, ReplicaDump>> dumps, Path dir)
      throws IOException {
    if (dumps.isEmpty()) {
      return;
    }
    Files.createDirectories(dir);
    Map<String, Object> extents = new TreeMap<>();
    for (var partition : dumps.entrySet()) {
      for (var replica : partition.getValue().entrySet()) {
        String name = "p" + partition.getKey() + "-node" + replica.getKey();
        ReplicaDump dump = replica.getValue();
        extents.put(
            name,
            dump.error() == null
                ? Map.of("start", dump.start(), "end", dump.end(), "batches", dump.batches().size())
                : Map.of("error", dump.error()));
        StringBuilder lines = new StringBuilder();
        for (ReplicaDump.StoredBatch batch : dump.batches()) {
          lines.append(LINES.toJson(batch)).append('\n');
        }
        Files.writeString(dir.resolve(name + ".jsonl"), lines, UTF8);
      }
    }
    Files.writeString(dir.resolve("extents.json"), GSON.toJson(extents), UTF8);
  }

  public static String summary(TryResult result) {
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(result.scenario().seed());
    sb.append(result.passed() ? ": PASSED" : ": FAILED " + result.failedChecks()).append('\n');
    if (result.setupError() != null) {
      sb.append("  the try itself broke: ").append(result.setupError()).append('\n');
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (History.Pair p : result.history().pairs()) {
      counts.merge(p.f() + ":" + p.type(), 1, Integer::sum);
    }
    sb.append("  operations ").append(counts).append('\n');
    sb.append("  faults run ").append(result.faults().size());
    sb.append(", recovered ").append(result.finalState().recovered());
    sb.append(" in ").append(result.finalState().recoveryMillis()).append(" ms, drain complete ");
    sb.append(result.finalState().drainComplete()).append('\n');
    for (CheckResult r : result.results()) {
      sb.append(
          String.format("  %-22s %-8s %-28s %d%n", r.name(), r.status(), r.guarantee(), r.count()));
      if (r.failed()) {
        r.examples().forEach(e -> sb.append("      ").append(e).append('\n'));
      }
    }
    return sb.toString();
  }

  private static String offsetsChart(TryResult result, int partition, long end) {
    List<Svg.Point> points = new ArrayList<>();
    for (History.Pair p : result.history().pairs()) {
      if (p.f().equals("send") && p.ok()) {
        for (Msg m : p.completion().writes()) {
          if (m.partition() == partition) {
            points.add(new Svg.Point(p.completion().time(), m.offset(), 0));
          }
        }
      } else if (p.f().equals("poll") && p.ok()) {
        for (Msg m : p.completion().reads()) {
          if (m.partition() == partition) {
            points.add(new Svg.Point(p.completion().time(), m.offset(), 1));
          }
        }
      } else if (p.f().equals("send") && !p.ok()) {
        points.add(new Svg.Point(p.completion().time(), 0, 2));
      }
    }
    return Svg.chart(
        "partition " + partition + ": offsets over time (seed " + result.scenario().seed() + ")",
        "offset",
        points,
        result.faults(),
        List.of("acked send", "read", "failed/unknown send"),
        end);
  }

  private static String latencyChart(TryResult result, long end) {
    List<Svg.Point> points = new ArrayList<>();
    for (History.Pair p : result.history().pairs()) {
      if (p.f().equals("send")) {
        double ms = (p.completion().time() - p.invoke().time()) / 1e6;
        int series =
            switch (p.type()) {
              case ok -> 0;
              case fail -> 2;
              default -> 3;
            };
        points.add(new Svg.Point(p.invoke().time(), ms, series));
      }
    }
    return Svg.chart(
        "send latency over time (seed " + result.scenario().seed() + ")",
        "ms",
        points,
        result.faults(),
        List.of("ok", "", "fail", "info"),
        end);
  }
}
