package dev.quorum.chaos.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/** Server-side state after healing: replicas agree, and the cluster came back within the bound. */
final class ClusterChecks {
  private ClusterChecks() {}

  /** Every replica of a partition has the same end offset and, where dumped, the same values. */
  static final class ReplicaConvergence implements Checker {
    @Override
    public String name() {
      return "replica-convergence";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      if (s.replicas().isEmpty() && s.replicaLogs().isEmpty()) {
        return CheckResult.skipped(name(), DeliveryChecks.AT_LEAST_ONCE, "no replica state");
      }
      List<String> found = new ArrayList<>();
      s.replicas()
          .forEach(
              (partition, ends) -> {
                if (new HashSet<>(ends.values()).size() > 1) {
                  found.add(
                      "partition " + partition + " replicas end at different offsets " + ends);
                }
              });
      for (Map.Entry<Integer, Map<Integer, List<String>>> p : s.replicaLogs().entrySet()) {
        List<String> reference = null;
        int referenceNode = 0;
        for (Map.Entry<Integer, List<String>> replica : p.getValue().entrySet()) {
          if (reference == null) {
            reference = replica.getValue();
            referenceNode = replica.getKey();
          } else if (!reference.equals(replica.getValue())) {
            found.add(
                "partition "
                    + p.getKey()
                    + ": node "
                    + replica.getKey()
                    + " holds a different log than node "
                    + referenceNode
                    + " (first difference at offset "
                    + firstDifference(reference, replica.getValue())
                    + ")");
          }
        }
      }
      return CheckResult.of(name(), DeliveryChecks.AT_LEAST_ONCE, found);
    }

    private static int firstDifference(List<String> a, List<String> b) {
      int i = 0;
      while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
        i++;
      }
      return i;
    }
  }

  /** After every fault healed, each partition had a leader and caught-up replicas in time. */
  static final class Recovery implements Checker {
    @Override
    public String name() {
      return "recovery-after-heal";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      return CheckResult.of(
          name(),
          "liveness",
          s.recovered()
              ? List.of()
              : List.of(
                  "no leader with caught-up replicas for every partition within "
                      + s.recoveryMillis()
                      + " ms after healing"));
    }
  }
}
