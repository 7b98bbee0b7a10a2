package dev.quorum.chaos.harness;

import dev.quorum.chaos.check.CheckResult;
import dev.quorum.chaos.check.FinalState;
import dev.quorum.chaos.history.History;
import java.util.List;

/** What one try produced: its history, the faults as they ran, the final state and the verdicts. */
public record TryResult(
    Scenario scenario,
    History history,
    List<FaultWindow> faults,
    FinalState finalState,
    List<CheckResult> results,
    String setupError) {

  public boolean passed() {
    return setupError == null && results.stream().noneMatch(CheckResult::failed);
  }

  public List<String> failedChecks() {
    List<String> failed =
        new java.util.ArrayList<>(
            results.stream().filter(CheckResult::failed).map(CheckResult::name).toList());
    if (setupError != null) {
      failed.add(0, "setup");
    }
    return failed;
  }
}
