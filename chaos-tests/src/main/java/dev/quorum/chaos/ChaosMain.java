package dev.quorum.chaos;

import dev.quorum.chaos.cluster.ChaosCluster;
import dev.quorum.chaos.cluster.InProcessCluster;
import dev.quorum.chaos.cluster.ProcessCluster;
import dev.quorum.chaos.harness.Scenario;
import dev.quorum.chaos.harness.ScenarioGenerator;
import dev.quorum.chaos.harness.Shrinker;
import dev.quorum.chaos.harness.TryResult;
import dev.quorum.chaos.harness.TryRunner;
import dev.quorum.chaos.report.Report;
import dev.quorum.statemachine.SeededBugs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/chaos}: runs tries of generated (or replayed) scenarios against a real cluster,
 * checks each history, writes a report directory per try, shrinks a failing scenario on request,
 * and exits 0 only when every check of every try passed.
 */
public final class ChaosMain {
  static final String USAGE =
      """
      usage: scripts/chaos [--tier in-process|process] [--nodes 3|5] [--duration 60s] [--tries N]
                           [--seed S] [--replay FILE] [--shrink] [--shrink-attempts K]
                           [--nemesis kill,partition,pause,clock,transport,duplicate,
                                      isolate-clients,truncate,bitflip]
                           [--workload produce,groups,idempotent,txn,bank] [--seeded-bug NAME|list]
                           [--out DIR]""";

  /** Parsed command line. */
  record Options(
      String tier,
      int nodes,
      long durationMs,
      int tries,
      long seed,
      Path replay,
      boolean shrink,
      int shrinkAttempts,
      Set<String> nemeses,
      Set<String> workloads,
      List<String> seededBugs,
      Path out) {}

  private ChaosMain() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      code = 2;
    }
    System.exit(code);
  }

  static int run(String[] args) {
    if (List.of(args).contains("--help")) {
      System.out.println(USAGE);
      return 0;
    }
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--seeded-bug") && args[i + 1].equals("list")) {
        for (SeededBugs.Bug bug : SeededBugs.Bug.values()) {
          System.out.printf("%-20s %s%n", bug.cliName(), bug.description());
        }
        return 0;
      }
    }
    Options o = parse(args);
    List<Scenario> scenarios = new ArrayList<>();
    if (o.replay() != null) {
      try {
        scenarios.add(Scenario.read(o.replay()));
      } catch (IOException e) {
        throw new IllegalArgumentException("--replay: cannot read " + o.replay() + ": " + e);
      }
    } else {
      SplittableRandom seeds = new SplittableRandom(o.seed());
      var gen =
          new ScenarioGenerator.Options(
              o.tier(), o.nodes(), o.durationMs(), o.nemeses(), o.workloads(), o.seededBugs());
      for (int i = 0; i < o.tries(); i++) {
        long seed = i == 0 ? o.seed() : seeds.nextLong();
        scenarios.add(ScenarioGenerator.generate(seed, gen));
      }
    }
    if (scenarios.stream().anyMatch(s -> s.tier().equals("process"))) {
      String unavailable =
          ProcessCluster.unavailableReason(scenarios.stream().anyMatch(ChaosMain::skewsClocks));
      if (unavailable != null) {
        System.out.println("chaos: process tier skipped: " + unavailable);
        return 3;
      }
    }
    System.out.printf(
        "chaos: %d tries, run seed %d, report in %s%n", scenarios.size(), o.seed(), o.out());
    List<String> failures = new ArrayList<>();
    AtomicInteger counter = new AtomicInteger();
    for (Scenario scenario : scenarios) {
      System.out.printf(
          "try %d: seed %d (%s, %d faults)%n",
          counter.get() + 1, scenario.seed(), scenario.tier(), scenario.faults().size());
      Path dir = o.out().resolve("try-" + counter.incrementAndGet() + "-seed-" + scenario.seed());
      TryResult result = runTry(scenario, dir.resolve("node-logs"));
      writeReport(result, dir);
      System.out.print(Report.summary(result));
      if (!result.passed()) {
        failures.add(
            "seed " + scenario.seed() + " failed " + result.failedChecks() + " (" + dir + ")");
        if (o.shrink()) {
          shrink(result, o, dir);
        }
      }
    }
    System.out.println();
    if (failures.isEmpty()) {
      System.out.println("chaos: every check passed in " + scenarios.size() + " tries");
      return 0;
    }
    failures.forEach(f -> System.out.println("chaos: " + f));
    if (!o.seededBugs().isEmpty()) {
      System.out.println(
          "chaos: seeded bug " + o.seededBugs() + " was caught by " + caughtBy(failures));
    }
    return 1;
  }

  private static String caughtBy(List<String> failures) {
    Set<String> checks = new LinkedHashSet<>();
    for (String f : failures) {
      int open = f.indexOf('[');
      int close = f.indexOf(']');
      if (open >= 0 && close > open) {
        for (String c : f.substring(open + 1, close).split(", ")) {
          checks.add(c);
        }
      }
    }
    return String.join(", ", checks);
  }

  /** Runs one try, with the scenario's seeded bugs switched on in this JVM for its duration. */
  public static TryResult runTry(Scenario scenario, Path logs) {
    Set<SeededBugs.Bug> bugs = EnumSet.noneOf(SeededBugs.Bug.class);
    scenario.seededBugs().forEach(b -> bugs.add(SeededBugs.Bug.byName(b)));
    Path work;
    try {
      work = Files.createTempDirectory("chaos-" + scenario.seed() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean inProcess = scenario.tier().equals("in-process");
    if (inProcess) {
      SeededBugs.enable(bugs);
    }
    try {
      return new TryRunner(s -> cluster(s, work)).run(scenario);
    } finally {
      SeededBugs.enable(Set.of());
      keepNodeLogs(work, logs);
      deleteQuietly(work);
    }
  }

  private static ChaosCluster cluster(Scenario s, Path work) {
    return switch (s.tier()) {
      case "in-process" -> new InProcessCluster(work, s.nodes(), s.seed());
      case "process" ->
          ProcessCluster.start(work, s.nodes(), s.seed(), s.seededBugs(), skewsClocks(s));
      default -> throw new IllegalArgumentException("unknown tier " + s.tier());
    };
  }

  private static boolean skewsClocks(Scenario s) {
    return s.faults().stream().anyMatch(f -> f.kind().equals("clock"));
  }

  private static void shrink(TryResult failed, Options o, Path dir) {
    Set<String> target = new LinkedHashSet<>(failed.failedChecks());
    Shrinker shrinker =
        new Shrinker(
            candidate -> {
              for (int i = 0; i < o.shrinkAttempts(); i++) {
                TryResult r = runTry(candidate, dir.resolve("shrink-node-logs"));
                if (r.failedChecks().stream().anyMatch(target::contains)) {
                  return true;
                }
              }
              return false;
            });
    Scenario minimal = shrinker.shrink(failed.scenario());
    Path file = dir.resolve("minimal-scenario.json");
    try {
      minimal.write(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.printf(
        "shrink: %d of %d faults still fail %s; replay with: scripts/chaos --replay %s%n",
        minimal.faults().size(), failed.scenario().faults().size(), target, file);
  }

  private static void writeReport(TryResult result, Path dir) {
    try {
      Report.write(result, dir);
    } catch (IOException e) {
      System.err.println("cannot write the report to " + dir + ": " + e);
    }
  }

  static Options parse(String[] args) {
    String tier = "in-process";
    boolean tierGiven = false;
    int nodes = 3;
    long duration = 30_000;
    int tries = 1;
    long seed = System.nanoTime() ^ Instant.now().toEpochMilli();
    Path replay = null;
    boolean shrink = false;
    int attempts = 3;
    Set<String> nemeses = null;
    Set<String> workloads = new LinkedHashSet<>(List.of("idempotent", "groups", "txn"));
    List<String> bugs = new ArrayList<>();
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--shrink")) {
        shrink = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String v = args[++i];
      switch (flag) {
        case "--tier" -> {
          if (!v.equals("in-process") && !v.equals("process")) {
            throw new IllegalArgumentException("--tier must be in-process or process");
          }
          tier = v;
          tierGiven = true;
        }
        case "--nodes" -> {
          nodes = Integer.parseInt(v);
          if (nodes != 3 && nodes != 5) {
            throw new IllegalArgumentException("--nodes must be 3 or 5");
          }
        }
        case "--duration" -> duration = parseDuration(v);
        case "--tries" -> tries = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--replay" -> replay = Path.of(v);
        case "--shrink-attempts" -> attempts = Integer.parseInt(v);
        case "--nemesis" -> nemeses = new LinkedHashSet<>(List.of(v.split(",")));
        case "--workload" -> workloads = new LinkedHashSet<>(List.of(v.split(",")));
        case "--seeded-bug" -> bugs.add(SeededBugs.Bug.byName(v).cliName());
        case "--out" -> out = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (bugs.contains(SeededBugs.Bug.UNFLUSHED_SNAPSHOT_INDEX.cliName()) && !tierGiven) {
      // Only a real crash (kill -9) loses what RocksDB had not flushed: a clean stop flushes it.
      tier = "process";
      if (nemeses == null) {
        nemeses = new LinkedHashSet<>(List.of("kill"));
      }
    }
    if (nemeses == null) {
      nemeses = ScenarioGenerator.defaultNemeses(tier);
    }
    for (String n : nemeses) {
      ScenarioGenerator.kindsFor(n, tier); // rejects unknown names
    }
    for (String w : workloads) {
      if (!Set.of("produce", "idempotent", "groups", "txn", "bank").contains(w)) {
        throw new IllegalArgumentException("unknown workload '" + w + "'");
      }
    }
    if (out == null) {
      out = Path.of("target", "chaos", "run-" + Instant.now().toString().replace(':', '-'));
    }
    return new Options(
        tier, nodes, duration, tries, seed, replay, shrink, attempts, nemeses, workloads, bugs,
        out);
  }

  static long parseDuration(String v) {
    String s = v.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Long.parseLong(s.substring(0, s.length() - 2));
      }
      if (s.endsWith("s")) {
        return Long.parseLong(s.substring(0, s.length() - 1)) * 1000;
      }
      if (s.endsWith("m")) {
        return Long.parseLong(s.substring(0, s.length() - 1)) * 60_000;
      }
      return Long.parseLong(s) * 1000;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--duration: not a duration: " + v);
    }
  }

  /** Copies the process tier's node logs (node-N/node.log) into the report. */
  private static void keepNodeLogs(Path work, Path logs) {
    try (var nodes = Files.list(work)) {
      for (Path node : nodes.toList()) {
        Path log = node.resolve("node.log");
        if (Files.exists(log)) {
          Files.createDirectories(logs);
          Files.copy(
              log,
              logs.resolve(node.getFileName() + ".log"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      System.err.println("cannot keep node logs: " + e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: temp space
    }
  }
}
