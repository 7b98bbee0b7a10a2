package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Exactly-once: no value stored twice; transactions all-or-nothing and invisible until commit. */
final class ExactlyOnceChecks {
  private ExactlyOnceChecks() {}

  static final String EXACTLY_ONCE = "exactly-once";

  /** A value stored at more than one offset: the idempotent producer let a retry through. */
  static final class Duplicate implements Checker {
    @Override
    public String name() {
      return "duplicate";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<String> found = new ArrayList<>();
      o.allReads()
          .forEach(
              (value, reads) -> {
                Set<String> places = new HashSet<>();
                reads.forEach(r -> places.add(r.partition() + "/" + r.offset()));
                if (places.size() > 1) {
                  found.add(value + " stored at " + places.size() + " offsets: " + reads);
                }
              });
      return CheckResult.of(name(), EXACTLY_ONCE, found);
    }
  }

  /**
   * A transaction that committed (or might have) is visible entirely or not at all: some but not
   * all of its writes being read is a torn transaction.
   */
  static final class TornTransaction implements Checker {
    @Override
    public String name() {
      return "torn-transaction";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<History.Pair> txns = o.history().pairs("txn");
      if (txns.isEmpty()) {
        return CheckResult.skipped(name(), "transactions", "no transactions in this run");
      }
      List<String> found = new ArrayList<>();
      for (History.Pair txn : txns) {
        if (txn.type() == Op.Type.fail) {
          continue; // aborted: any read is an aborted read, judged elsewhere
        }
        List<String> seen = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Msg w : txn.invoke().writes()) {
          (o.readsOf(w.value()).isEmpty() ? missing : seen).add(w.value());
        }
        if (!seen.isEmpty() && !missing.isEmpty()) {
          found.add(
              "transaction of process "
                  + txn.process()
                  + " ("
                  + txn.type()
                  + ") is torn: read "
                  + seen
                  + ", never read "
                  + missing);
        }
      }
      return CheckResult.of(name(), "transactions", found);
    }
  }

  /** A read returned a transaction's write before that transaction's commit was even invoked. */
  static final class PrecommittedRead implements Checker {
    @Override
    public String name() {
      return "precommitted-read";
    }

    @Override
    public CheckResult check(Observations o, FinalState s) {
      List<History.Pair> txns = o.history().pairs("txn");
      if (txns.isEmpty()) {
        return CheckResult.skipped(name(), "transactions", "no transactions in this run");
      }
      List<String> found = new ArrayList<>();
      for (History.Pair poll : o.history().pairs("poll")) {
        if (!poll.ok()) {
          continue;
        }
        for (Msg r : poll.completion().reads()) {
          History.Pair writer = o.writerOf(r.value());
          if (writer == null || !writer.f().equals("txn")) {
            continue;
          }
          long commitTime = writer.completion().commitTime();
          boolean beforeCommit =
              commitTime >= 0
                  ? poll.completion().time() < commitTime
                  : poll.completion().time() < writer.completion().time()
                      && writer.type() != Op.Type.ok;
          if (beforeCommit) {
            found.add(
                "process "
                    + poll.process()
                    + " read "
                    + r.value()
                    + " before the transaction of process "
                    + writer.process()
                    + " invoked its commit");
          }
        }
      }
      return CheckResult.of(name(), "transactions", found);
    }
  }
}
