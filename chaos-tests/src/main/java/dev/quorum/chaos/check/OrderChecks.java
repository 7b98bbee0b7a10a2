package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Offsets respect time: appends are linearizable, consumers read a partition without holes. */
final class OrderChecks {
  private OrderChecks() {}

  /**
   * A send invoked after another send to the same partition completed ok must get a higher offset.
   * It implies per-writer order (one writer runs one send at a time).
   */
  static final class RealtimeOrder implements Checker {
    @Override
    public String name() {
      return "realtime-order";
    }

    private record Acked(long invoked, long completed, Msg msg) {}

    @Override
    public CheckResult check(Observations o, FinalState s) {
      Map<Integer, List<Acked>> byPartition = new HashMap<>();
      for (History.Pair pair : o.history().pairs()) {
        if (!pair.ok()) {
          continue;
        }
        for (Msg m : pair.completion().writes()) {
          if (m.offset() >= 0 && m.inMainTopic()) {
            byPartition
                .computeIfAbsent(m.partition(), p -> new ArrayList<>())
                .add(new Acked(pair.invoke().time(), pair.completion().time(), m));
          }
        }
      }
      List<String> found = new ArrayList<>();
      for (List<Acked> acked : byPartition.values()) {
        List<Acked> byCompletion = new ArrayList<>(acked);
        byCompletion.sort(Comparator.comparingLong(Acked::completed));
        // prefix maximum of offsets over completion order
        Acked[] best = new Acked[byCompletion.size()];
        for (int i = 0; i < best.length; i++) {
          Acked a = byCompletion.get(i);
          best[i] = i > 0 && best[i - 1].msg().offset() > a.msg().offset() ? best[i - 1] : a;
        }
        for (Acked b : acked) {
          int lo = 0;
          int hi = byCompletion.size();
          while (lo < hi) { // first completion not before b's invocation
            int mid = (lo + hi) >>> 1;
            if (byCompletion.get(mid).completed() < b.invoked()) {
              lo = mid + 1;
            } else {
              hi = mid;
            }
          }
          if (lo > 0 && best[lo - 1].msg().offset() >= b.msg().offset()) {
            Acked a = best[lo - 1];
            found.add(
                b.msg().value()
                    + " got offset "
                    + b.msg().offset()
                    + " in partition "
                    + b.msg().partition()
                    + " though "
                    + a.msg().value()
                    + " had been acknowledged at offset "
                    + a.msg().offset()
                    + " before it was sent");
          }
        }
      }
      return CheckResult.of(name(), DeliveryChecks.AT_LEAST_ONCE, found);
    }
  }

  /**
   * An assign-mode consumer reads each partition contiguously: the next record after offset o is o
   * + 1, across polls, until the consumer seeks (an {@code assign} operation) again.
   */
  static final class PollContiguity implements Checker {
    @Override
    public String name() {
      return "poll-contiguity";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      Map<Integer, Map<Integer, Long>> last = new HashMap<>(); // process -> partition -> offset
      List<String> found = new ArrayList<>();
      for (History.Pair pair : o.history().pairs()) {
        Map<Integer, Long> positions = last.computeIfAbsent(pair.process(), p -> new HashMap<>());
        if (pair.f().equals("assign")) {
          positions.clear();
          for (Msg start : pair.invoke().commits()) {
            if (start.inMainTopic()) {
              positions.put(start.partition(), start.offset() - 1);
            }
          }
          continue;
        }
        if (!pair.f().equals("poll") || pair.invoke().group() != null || !pair.ok()) {
          continue;
        }
        for (Msg read : pair.completion().reads()) {
          if (!read.inMainTopic()) {
            continue;
          }
          Long previous = positions.get(read.partition());
          boolean wrong =
              previous != null
                  && (read.offset() <= previous
                      || o.firstVisible(read.partition(), previous + 1, read.offset()) >= 0);
          if (wrong) {
            found.add(
                "process "
                    + pair.process()
                    + " read partition "
                    + read.partition()
                    + " offset "
                    + read.offset()
                    + " right after offset "
                    + previous
                    + (read.offset() > previous + 1 ? " (skipped records)" : " (went backwards)"));
          }
          positions.put(read.partition(), read.offset());
        }
      }
      return CheckResult.of(name(), DeliveryChecks.AT_LEAST_ONCE, found);
    }
  }

  /**
   * A consumer group never skips: every offset below the group's last committed offset of a
   * partition was read by some member. (Redelivery after a rebalance is allowed at-least-once.)
   */
  static final class CommitWithoutGap implements Checker {
    @Override
    public String name() {
      return "commit-resume-gap";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      Map<String, Map<Integer, Long>> committed = new HashMap<>();
      Map<String, Map<Integer, java.util.BitSet>> read = new HashMap<>();
      for (History.Pair pair : o.history().pairs()) {
        String group = pair.invoke().group();
        if (group == null || !pair.ok()) {
          continue;
        }
        if (pair.f().equals("commit")
            && pair.invoke().commits().stream().allMatch(Msg::inMainTopic)) {
          for (Msg c : pair.invoke().commits()) {
            committed
                .computeIfAbsent(group, g -> new HashMap<>())
                .merge(c.partition(), c.offset(), Math::max);
          }
        } else if (pair.f().equals("poll")) {
          for (Msg r : pair.completion().reads()) {
            if (!r.inMainTopic()) {
              continue;
            }
            read.computeIfAbsent(group, g -> new HashMap<>())
                .computeIfAbsent(r.partition(), p -> new java.util.BitSet())
                .set(Math.toIntExact(r.offset()));
          }
        }
      }
      if (committed.isEmpty()) {
        return CheckResult.skipped(name(), DeliveryChecks.AT_LEAST_ONCE, "no group committed");
      }
      List<String> found = new ArrayList<>();
      committed.forEach(
          (group, partitions) ->
              partitions.forEach(
                  (partition, offset) -> {
                    java.util.BitSet seen =
                        read.getOrDefault(group, Map.of())
                            .getOrDefault(partition, new java.util.BitSet());
                    long hole = -1;
                    for (int candidate = seen.nextClearBit(0);
                        candidate < offset;
                        candidate = seen.nextClearBit(candidate + 1)) {
                      if (o.visibleAt(partition, candidate)) {
                        hole = candidate;
                        break;
                      }
                    }
                    if (hole >= 0) {
                      found.add(
                          "group "
                              + group
                              + " committed offset "
                              + offset
                              + " of partition "
                              + partition
                              + " but no member read offset "
                              + hole);
                    }
                  }));
      return CheckResult.of(name(), DeliveryChecks.AT_LEAST_ONCE, found);
    }
  }

  static boolean isPoll(Op op) {
    return op.f().equals("poll");
  }
}
