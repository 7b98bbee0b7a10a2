package dev.quorum.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.chaos.harness.FaultEvent;
import dev.quorum.chaos.harness.Scenario;
import dev.quorum.chaos.harness.ScenarioGenerator;
import dev.quorum.chaos.harness.TryResult;
import dev.quorum.chaos.report.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process chaos tier in every CI run: three real nodes in this JVM under generated fault
 * schedules (leader kills, Raft link cuts, dropped requests and replies, delays, duplicated
 * requests, cut or bit-flipped log tails) with plain, group, transactional and bank clients must
 * pass every check, the replica dumps included; and each seeded bug that needs no process crash
 * must be caught by its check. The seed is printed; {@code -Dchaos.seed=S} replays it.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class InProcessChaosIT {
  @TempDir Path reports;

  private static final ScenarioGenerator.Options FAULTS =
      new ScenarioGenerator.Options(
          "in-process",
          3,
          20_000,
          ScenarioGenerator.defaultNemeses("in-process"),
          Set.of("idempotent", "groups", "txn", "bank"),
          List.of());

  private static long seed() {
    String configured = System.getProperty("chaos.seed");
    return configured != null ? Long.parseLong(configured) : System.nanoTime();
  }

  private TryResult run(Scenario scenario, String name) throws Exception {
    System.out.printf(
        "chaos %s: seed %d (replay with -Dchaos.seed=%d)%n",
        name, scenario.seed(), scenario.seed());
    TryResult result = ChaosMain.runTry(scenario, reports.resolve(name).resolve("node-logs"));
    Report.write(result, reports.resolve(name));
    System.out.print(Report.summary(result));
    return result;
  }

  @Test
  void everyCheckPassesUnderGeneratedFaults() throws Exception {
    long seed = seed();
    for (int i = 0; i < 2; i++) {
      Scenario scenario = ScenarioGenerator.generate(seed + i, FAULTS);
      TryResult result = run(scenario, "faults-" + i);
      assertThat(result.passed())
          .as("seed %d:\n%s", scenario.seed(), Report.summary(result))
          .isTrue();
      assertThat(result.faults()).as("faults that ran").isNotEmpty();
      assertThat(result.history().pairs("send")).as("sends").hasSizeGreaterThan(50);
      assertThat(result.history().pairs("txn")).as("transactions").isNotEmpty();
      assertThat(result.results())
          .as("the bank and the replica dumps were judged")
          .filteredOn(r -> Set.of("bank", "producer-sequence").contains(r.name()))
          .extracting(r -> r.status().name())
          .containsExactly("passed", "passed");
    }
  }

  @Test
  void acknowledgingBeforeCommitIsCaught() throws Exception {
    Scenario generated =
        ScenarioGenerator.generate(
            seed(),
            new ScenarioGenerator.Options(
                "in-process",
                3,
                8_000,
                Set.of(),
                Set.of("idempotent"),
                List.of("ack-before-commit")));
    // The leader is cut off from its followers while clients still reach it: it acknowledges
    // writes that can never commit, whatever the seed made of the workload.
    Scenario scenario =
        generated.withFaults(List.of(new FaultEvent(1_000, 4_000, "partition", "leader", 0, 0)));
    TryResult result = run(scenario, "ack-before-commit");
    assertThat(result.failedChecks())
        .as("%s", Report.summary(result))
        .containsAnyOf("inconsistent-offsets", "realtime-order", "lost-write");
  }

  @Test
  void skippingTheDedupeCheckIsCaught() throws Exception {
    Scenario generated =
        ScenarioGenerator.generate(
            seed(),
            new ScenarioGenerator.Options(
                "in-process", 3, 10_000, Set.of(), Set.of("idempotent"), List.of("skip-dedupe")));
    // Every node hands half of its requests over twice, so the leader surely sees retried batches.
    Scenario scenario =
        generated.withFaults(List.of(new FaultEvent(1_000, 7_000, "duplicate", "all", 0.5, 0)));
    TryResult result = run(scenario, "skip-dedupe");
    assertThat(result.failedChecks())
        .as("%s", Report.summary(result))
        .contains("duplicate", "producer-sequence");
  }

  @Test
  void droppingATransactionMarkerIsCaught() throws Exception {
    Scenario scenario =
        ScenarioGenerator.generate(
            seed(),
            new ScenarioGenerator.Options(
                "in-process",
                3,
                8_000,
                Set.of(),
                Set.of("idempotent", "txn"),
                List.of("drop-txn-marker")));
    TryResult result = run(scenario, "drop-txn-marker");
    assertThat(result.failedChecks()).as("%s", Report.summary(result)).contains("torn-transaction");
  }
}
