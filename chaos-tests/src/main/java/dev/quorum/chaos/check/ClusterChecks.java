package dev.quorum.chaos.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/** Server-side state after healing: replicas agree, and the cluster came back within the bound. */
final class ClusterChecks {
  private ClusterChecks() {}

  /**
   * Every replica of a partition has the same end offset and, where dumped, holds the committed end
   * and the same batches.
   */
  static final class ReplicaConvergence implements Checker {
    @Override
    public String name() {
      return "replica-convergence";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      if (s.replicas().isEmpty() && s.replicaLogs().isEmpty() && s.dumps().isEmpty()) {
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
      s.dumps().forEach((partition, replicas) -> compareDumps(o, partition, replicas, found));
      return CheckResult.of(name(), DeliveryChecks.AT_LEAST_ONCE, found);
    }

    /**
     * Every replica holds the committed end (whatever any replica applied, or any client was acked
     * or read, was committed), and all replicas hold the same batches below the shortest end.
     */
    private static void compareDumps(
        Observations o, int partition, Map<Integer, ReplicaDump> replicas, List<String> found) {
      long committedEnd = 0;
      var seen = o.valuesAt().get(partition);
      if (seen != null && !seen.isEmpty()) {
        committedEnd = seen.lastKey() + 1;
      }
      long shortest = Long.MAX_VALUE;
      for (Map.Entry<Integer, ReplicaDump> r : replicas.entrySet()) {
        if (r.getValue().error() != null) {
          found.add(
              "partition "
                  + partition
                  + ": the replica on node "
                  + r.getKey()
                  + " could not be read: "
                  + r.getValue().error());
          continue;
        }
        committedEnd = Math.max(committedEnd, r.getValue().end());
        shortest = Math.min(shortest, r.getValue().end());
      }
      Integer referenceNode = null;
      for (Map.Entry<Integer, ReplicaDump> r : replicas.entrySet()) {
        ReplicaDump dump = r.getValue();
        if (dump.error() != null) {
          continue;
        }
        if (dump.end() < committedEnd) {
          found.add(
              "partition "
                  + partition
                  + ": the replica on node "
                  + r.getKey()
                  + " ends at "
                  + dump.end()
                  + " but offsets up to "
                  + committedEnd
                  + " were committed");
        }
        if (referenceNode == null) {
          referenceNode = r.getKey();
          continue;
        }
        long difference = firstDifference(replicas.get(referenceNode), dump, shortest);
        if (difference >= 0) {
          found.add(
              "partition "
                  + partition
                  + ": node "
                  + r.getKey()
                  + " stores different batches than node "
                  + referenceNode
                  + " from offset "
                  + difference);
        }
      }
    }

    /** The base offset of the first batch below {@code bound} where two dumps differ, or -1. */
    private static long firstDifference(ReplicaDump a, ReplicaDump b, long bound) {
      List<ReplicaDump.StoredBatch> x = below(a.batches(), bound);
      List<ReplicaDump.StoredBatch> y = below(b.batches(), bound);
      for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
        if (i >= x.size() || i >= y.size() || !x.get(i).sameData(y.get(i))) {
          return i < x.size() ? x.get(i).baseOffset() : y.get(i).baseOffset();
        }
      }
      return -1;
    }

    private static List<ReplicaDump.StoredBatch> below(
        List<ReplicaDump.StoredBatch> batches, long bound) {
      return batches.stream().filter(batch -> batch.baseOffset() < bound).toList();
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
