package dev.quorum.chaos.harness;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Turns a seed into a scenario. The same seed and options always give the same scenario: every
 * choice comes from one {@link SplittableRandom} in a fixed order.
 */
public final class ScenarioGenerator {
  /** What a run asked for on the command line. */
  public record Options(
      String tier,
      int nodes,
      long durationMs,
      Set<String> nemeses,
      Set<String> workloads,
      List<String> seededBugs) {}

  private ScenarioGenerator() {}

  /**
   * The nemeses of a run that names none, and of the CI tries: every fault of the tier that is
   * stable on a loaded 2-core machine ({@code clock} and {@code isolate-clients} are opt-in).
   */
  public static Set<String> defaultNemeses(String tier) {
    // No truncate or bitflip: damage to fsynced entries is outside what Raft promises, and mixed
    // with partitions it can lose committed entries (the damaged node votes for a replica that
    // lacks them), which the checks then rightly report (process seed 36717397543034).
    return tier.equals("process")
        ? new LinkedHashSet<>(List.of("kill", "partition", "pause", "clock"))
        : new LinkedHashSet<>(List.of("kill", "partition", "transport", "duplicate"));
  }

  /** The nemesis names of {@code --nemesis} and the fault kinds each one may produce. */
  public static List<String> kindsFor(String nemesis, String tier) {
    boolean process = tier.equals("process");
    return switch (nemesis) {
      case "kill" -> List.of("kill");
      case "partition" -> List.of("partition");
      case "pause" -> process ? List.of("pause") : List.of();
      case "clock" -> process ? List.of("clock") : List.of();
      case "transport" -> process ? List.of() : List.of("drop-request", "drop-reply", "delay");
      case "duplicate" -> process ? List.of() : List.of("duplicate");
      case "isolate-clients" -> List.of("isolate-clients");
      case "truncate" -> List.of("truncate");
      case "bitflip" -> List.of("bitflip");
      default -> throw new IllegalArgumentException("unknown nemesis '" + nemesis + "'");
    };
  }

  public static Scenario generate(long seed, Options o) {
    SplittableRandom r = new SplittableRandom(seed);
    // transactions need two partitions or more to be able to tear
    boolean twoOrMore = o.workloads().contains("txn") || o.workloads().contains("bank");
    int partitions = twoOrMore ? 2 + r.nextInt(2) : 1 + r.nextInt(3);
    boolean groups = o.workloads().contains("groups");
    boolean produce = o.workloads().contains("produce");
    boolean idempotent = o.workloads().contains("idempotent") || !produce;
    int writers = 2 + r.nextInt(3);
    int assign = 1;
    int members = groups ? 2 + r.nextInt(2) : 0;
    int interval = 5 + r.nextInt(20);
    int txnWriters = o.workloads().contains("txn") ? 1 + r.nextInt(2) : 0;
    int processors = o.workloads().contains("txn") ? 1 + r.nextInt(2) : 0;
    // drawn only for bank runs, so the scenarios of other seeds stay as they were
    int bankTransferers = o.workloads().contains("bank") ? 2 + r.nextInt(2) : 0;
    int bankReaders = o.workloads().contains("bank") ? 1 + r.nextInt(2) : 0;
    List<String> kinds = new ArrayList<>();
    // Sorted: the same seed and nemeses give the same faults whatever the order of the set (Set.of
    // iterates in a different order in every JVM, so a seed printed by a test would not replay).
    for (String nemesis : new TreeSet<>(o.nemeses())) {
      kinds.addAll(kindsFor(nemesis, o.tier()));
    }
    List<FaultEvent> faults = new ArrayList<>();
    boolean inProcess = o.tier().equals("in-process");
    long quiet = inProcess ? 1_500 : 5_000;
    long t = quiet;
    while (!kinds.isEmpty() && t < o.durationMs() - 1_000) {
      String kind = kinds.get(r.nextInt(kinds.size()));
      long duration = (inProcess ? 1_000 : 3_000) + r.nextLong(inProcess ? 3_000 : 10_000);
      duration = Math.min(duration, Math.max(500, o.durationMs() - t));
      faults.add(event(kind, t, duration, o.nodes(), r));
      t += duration + 500 + r.nextLong(inProcess ? 2_000 : 5_000);
    }
    return new Scenario(
        seed,
        o.tier(),
        o.nodes(),
        o.durationMs(),
        partitions,
        writers,
        assign,
        members,
        txnWriters,
        processors,
        idempotent,
        interval,
        o.seededBugs(),
        faults,
        bankTransferers,
        bankReaders);
  }

  private static FaultEvent event(
      String kind, long at, long duration, int nodes, SplittableRandom r) {
    String node = "node:" + (1 + r.nextInt(nodes));
    String roleOrNode =
        switch (r.nextInt(3)) {
          case 0 -> "leader";
          case 1 -> "follower";
          default -> node;
        };
    return switch (kind) {
      case "kill" ->
          new FaultEvent(at, duration, kind, r.nextInt(6) == 0 ? "all" : roleOrNode, 0, 0);
      case "pause" ->
          new FaultEvent(at, duration, kind, r.nextInt(4) == 0 ? "followers" : roleOrNode, 0, 0);
      case "isolate-clients" -> new FaultEvent(at, duration, kind, "all", 0, 0);
      case "truncate" ->
          new FaultEvent(
              at, duration, kind, r.nextBoolean() ? "follower" : node, 0, 1 + r.nextLong(4096));
      case "bitflip" ->
          new FaultEvent(
              at, duration, kind, r.nextBoolean() ? "follower" : node, 0, r.nextLong(1L << 40));
      case "partition" -> new FaultEvent(at, duration, kind, partitionTarget(nodes, r), 0, 0);
      case "clock" ->
          new FaultEvent(
              at,
              duration,
              kind,
              node,
              0,
              (r.nextBoolean() ? 1 : -1) * (1_000 + r.nextLong(300_000)));
      case "delay" ->
          new FaultEvent(
              at, duration, kind, r.nextBoolean() ? "all" : roleOrNode, 0.5, 50 + r.nextLong(500));
      default ->
          new FaultEvent(
              at,
              duration,
              kind,
              r.nextBoolean() ? "all" : roleOrNode,
              0.1 + 0.4 * r.nextDouble(),
              0);
    };
  }

  /** Random halves, the leader alone, or a one-way cut (notes/chaos.md §7.3, N1-N3). */
  private static String partitionTarget(int nodes, SplittableRandom r) {
    List<Integer> shuffled = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      shuffled.add(i);
    }
    for (int i = shuffled.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      shuffled.set(i, shuffled.set(j, shuffled.get(i)));
    }
    if (nodes == 5 && r.nextInt(3) == 0) {
      return r.nextBoolean()
          ? "ring:" + join(shuffled)
          : "bridge:"
              + join(shuffled.subList(0, 2))
              + "|"
              + shuffled.get(2)
              + "|"
              + join(shuffled.subList(3, 5));
    }
    switch (r.nextInt(4)) {
      case 0:
        return "leader";
      case 1:
        {
          int from = 1 + r.nextInt(nodes);
          int to = 1 + (from + r.nextInt(nodes - 1)) % nodes;
          return "oneway:" + from + ">" + to;
        }
      default:
        {
          List<Integer> ids = new ArrayList<>();
          for (int i = 1; i <= nodes; i++) {
            ids.add(i);
          }
          for (int i = ids.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            ids.set(i, ids.set(j, ids.get(i)));
          }
          int cut = 1 + r.nextInt(nodes - 1);
          return "halves:" + join(ids.subList(0, cut)) + "|" + join(ids.subList(cut, nodes));
        }
    }
  }

  private static String join(List<Integer> ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append(sb.length() == 0 ? "" : ",").append(id);
    }
    return sb.toString();
  }
}
