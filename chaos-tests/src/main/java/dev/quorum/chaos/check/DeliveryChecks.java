package dev.quorum.chaos.check;

import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * At-least-once: nothing acknowledged goes missing, nothing appears that was never sent, and every
 * offset holds one value. Definitions follow Jepsen's Kafka checker (notes/chaos.md §2): an
 * indeterminate send is never "lost" or "unseen"; it only counts once some read shows it.
 */
final class DeliveryChecks {
  private DeliveryChecks() {}

  static final String AT_LEAST_ONCE = "at-least-once";

  /** An acked value below the highest offset read in its partition, never read anywhere. */
  static final class LostWrite implements Checker {
    @Override
    public String name() {
      return "lost-write";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<String> lost = new ArrayList<>();
      for (Observations.WriteOutcome w : o.writes()) {
        Msg m = w.msg();
        if (w.type() == Op.Type.ok
            && o.readsOf(m.value()).isEmpty()
            && m.offset() >= 0
            && m.offset() < o.maxReadOffset(m.partition())) {
          lost.add(
              m.value()
                  + " acknowledged at partition "
                  + m.partition()
                  + " offset "
                  + m.offset()
                  + " but never read, though offset "
                  + o.maxReadOffset(m.partition())
                  + " was");
        }
      }
      return CheckResult.of(name(), AT_LEAST_ONCE, lost);
    }
  }

  /** After healing and a full drain from offset 0, an acknowledged value was still not read. */
  static final class Unseen implements Checker {
    @Override
    public String name() {
      return "unseen-after-drain";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<String> unseen = new ArrayList<>();
      for (Observations.WriteOutcome w : o.writes()) {
        if (w.type() == Op.Type.ok && o.readsOf(w.msg().value()).isEmpty()) {
          unseen.add(w.msg().value() + " acknowledged at " + where(w.msg()) + ", never read");
        }
      }
      if (!s.drainComplete()) {
        unseen.add(0, "the final drain did not reach the end of every partition");
      }
      return CheckResult.of(name(), AT_LEAST_ONCE, unseen);
    }
  }

  /** A value read that no operation ever attempted: garbage or someone else's data. */
  static final class Unexpected implements Checker {
    @Override
    public String name() {
      return "unexpected";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<String> found = new ArrayList<>();
      o.allReads()
          .forEach(
              (value, reads) -> {
                if (!o.attempted(value)) {
                  found.add(value + " read at " + reads + " was never sent");
                }
              });
      return CheckResult.of(name(), AT_LEAST_ONCE, found);
    }
  }

  /** One (partition, offset) holds different values in different observations. */
  static final class InconsistentOffsets implements Checker {
    @Override
    public String name() {
      return "inconsistent-offsets";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<String> found = new ArrayList<>();
      for (Map.Entry<Integer, TreeMap<Long, Set<String>>> p : o.valuesAt().entrySet()) {
        p.getValue()
            .forEach(
                (offset, values) -> {
                  if (values.size() > 1) {
                    found.add("partition " + p.getKey() + " offset " + offset + " holds " + values);
                  }
                });
      }
      return CheckResult.of(name(), AT_LEAST_ONCE, found);
    }
  }

  /**
   * A failed (definitely not applied) write became visible. Covers plain sends that reported a
   * definite error and, once transactions exist, aborted transactions (Adya's G1a).
   */
  static final class AbortedRead implements Checker {
    @Override
    public String name() {
      return "aborted-read";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<String> found = new ArrayList<>();
      for (Observations.WriteOutcome w : o.writes()) {
        if (w.type() == Op.Type.fail && !o.readsOf(w.msg().value()).isEmpty()) {
          found.add(
              w.msg().value()
                  + " from a failed "
                  + w.op().f()
                  + " ("
                  + w.op().completion().error()
                  + ") was read at "
                  + o.readsOf(w.msg().value()));
        }
      }
      return CheckResult.of(name(), "at-least-once, transactions", found);
    }
  }

  /**
   * Per writer (values are {@code w<writer>-<n>}): an acknowledged value missing between the
   * writer's first and last value that were read (NATS' lost-middle: loss, not a slow reader).
   */
  static final class LostMiddle implements Checker {
    @Override
    public String name() {
      return "lost-middle";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      Map<String, TreeSet<Long>> readCounters = new TreeMap<>();
      for (String value : o.allReads().keySet()) {
        WriterValue wv = WriterValue.parse(value);
        if (wv != null) {
          readCounters.computeIfAbsent(wv.writer(), w -> new TreeSet<>()).add(wv.counter());
        }
      }
      List<String> found = new ArrayList<>();
      for (Observations.WriteOutcome w : o.writes()) {
        WriterValue wv = WriterValue.parse(w.msg().value());
        if (wv == null || w.type() != Op.Type.ok || !o.readsOf(w.msg().value()).isEmpty()) {
          continue;
        }
        TreeSet<Long> read = readCounters.get(wv.writer());
        if (read != null && read.first() < wv.counter() && wv.counter() < read.last()) {
          found.add(
              w.msg().value()
                  + " is missing between read values "
                  + read.first()
                  + " and "
                  + read.last()
                  + " of writer "
                  + wv.writer());
        }
      }
      return CheckResult.of(name(), AT_LEAST_ONCE, found);
    }
  }

  static String where(Msg m) {
    return "partition " + m.partition() + " offset " + m.offset();
  }

  /** A value of the form {@code <writer>-<counter>}. */
  record WriterValue(String writer, long counter) {
    static WriterValue parse(String value) {
      int dash = value.lastIndexOf('-');
      if (dash < 1) {
        return null;
      }
      try {
        return new WriterValue(value.substring(0, dash), Long.parseLong(value.substring(dash + 1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
