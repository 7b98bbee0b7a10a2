package dev.quorum.chaos.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios replay from their seed or their file, and shrinking finds the faults that matter. */
class HarnessTest {
  private static final ScenarioGenerator.Options OPTIONS =
      new ScenarioGenerator.Options(
          "in-process",
          3,
          60_000,
          Set.of("kill", "partition", "transport", "duplicate"),
          Set.of("idempotent", "groups"),
          List.of());

  @Test
  void theSameSeedGivesTheSameScenario() {
    assertThat(ScenarioGenerator.generate(1234, OPTIONS))
        .isEqualTo(ScenarioGenerator.generate(1234, OPTIONS));
    assertThat(ScenarioGenerator.generate(1234, OPTIONS))
        .isNotEqualTo(ScenarioGenerator.generate(1235, OPTIONS));
  }

  @Test
  void theOrderOfTheNemesesDoesNotChangeTheScenario() {
    // a test's Set.of and the command line's list must give the same faults for a printed seed
    var listed = new java.util.LinkedHashSet<>(List.of("kill", "partition", "transport"));
    var reversed = new java.util.LinkedHashSet<>(List.of("transport", "partition", "kill"));
    for (long seed = 0; seed < 20; seed++) {
      assertThat(ScenarioGenerator.generate(seed, withNemeses(listed)))
          .isEqualTo(ScenarioGenerator.generate(seed, withNemeses(reversed)));
    }
  }

  private static ScenarioGenerator.Options withNemeses(Set<String> nemeses) {
    return new ScenarioGenerator.Options(
        "in-process", 3, 60_000, nemeses, Set.of("idempotent"), List.of());
  }

  @Test
  void generatedFaultsFitTheRunAndTheTier() {
    for (long seed = 0; seed < 200; seed++) {
      Scenario s = ScenarioGenerator.generate(seed, OPTIONS);
      assertThat(s.faults()).isNotEmpty();
      for (FaultEvent f : s.faults()) {
        assertThat(f.atMs()).isBetween(0L, s.durationMs());
        assertThat(f.kind()).isNotIn("pause", "clock"); // in-process cannot pause or skew
      }
    }
  }

  @Test
  void aScenarioFileReplaysExactly(@TempDir Path dir) throws Exception {
    Scenario s = ScenarioGenerator.generate(99, OPTIONS);
    Path file = dir.resolve("scenario.json");
    s.write(file);
    assertThat(Scenario.read(file)).isEqualTo(s);
  }

  @Test
  void shrinkingKeepsOnlyTheFaultsThatTogetherFail() {
    Scenario s = ScenarioGenerator.generate(7, OPTIONS);
    List<FaultEvent> faults = new ArrayList<>(s.faults());
    assertThat(faults).hasSizeGreaterThanOrEqualTo(4);
    FaultEvent a = faults.get(1);
    FaultEvent b = faults.get(faults.size() - 1);
    // "fails" only when both culprits are present, like a bug that needs two faults
    List<Integer> runs = new ArrayList<>();
    Shrinker shrinker =
        new Shrinker(
            candidate -> {
              runs.add(candidate.faults().size());
              return candidate.faults().contains(a) && candidate.faults().contains(b);
            });
    Scenario minimal = shrinker.shrink(s);
    assertThat(minimal.faults()).containsExactlyInAnyOrder(a, b);
    assertThat(minimal.seed()).isEqualTo(s.seed());
  }

  @Test
  void shrinkingDropsEveryFaultWhenTheBugNeedsNone() {
    Scenario s = ScenarioGenerator.generate(7, OPTIONS);
    assertThat(new Shrinker(candidate -> true).shrink(s).faults()).isEmpty();
  }
}
