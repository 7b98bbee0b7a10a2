package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jepsen's bank test over transactions. The initial balances are one committed transaction; each
 * transfer moves an amount between two accounts on different partitions with a debit and a credit
 * in one transaction, so every transaction adds zero. A read of all partitions is not one snapshot
 * (each partition is read up to its last stable offset at a different moment), so a read may see a
 * transfer's one side and not the other only when the missing side lies at or beyond the offset the
 * read stopped at in its partition. This check fails when:
 *
 * <ul>
 *   <li>a read sees part of a transaction whose missing part lies below where the read stopped in
 *       that partition (read_committed must have returned it: a torn or lost write);
 *   <li>a read's total, not counting the visible parts of transactions cut by the read's end, is
 *       not the initial total (zero while the initial balances are beyond the read's end): for
 *       example a record counted twice;
 *   <li>after the drain, some but not all of a transaction's records were ever read, or the total
 *       over every record ever read is not the initial total.
 * </ul>
 */
final class BankCheck implements Checker {
  static final String BANK_READ = BankValues.READ_OP;

  @Override
  public String name() {
    return "bank";
  }

  @Override
  public CheckResult check(Observations o, FinalState s) {
    Map<String, List<Msg>> sides = new LinkedHashMap<>();
    Map<String, History.Pair> writerOf = new HashMap<>();
    Set<History.Pair> inits = new LinkedHashSet<>();
    for (History.Pair txn : o.history().pairs("txn")) {
      for (Msg w : txn.invoke().writes()) {
        BankValues.Entry e = BankValues.parse(w.value());
        if (e != null) {
          sides.computeIfAbsent(e.transaction(), t -> new ArrayList<>()).add(w);
          writerOf.put(e.transaction(), txn);
          if (e.initial()) {
            inits.add(txn);
          }
        }
      }
    }
    if (inits.isEmpty()) {
      return CheckResult.skipped(name(), "transactions", "no bank workload in this run");
    }
    List<History.Pair> committedInits = inits.stream().filter(p -> p.type() == Op.Type.ok).toList();
    if (committedInits.size() != 1 || inits.stream().anyMatch(p -> p.type() == Op.Type.info)) {
      return CheckResult.skipped(
          name(),
          "transactions",
          "the initial balances were not committed exactly once, knowingly");
    }
    String initTxn =
        BankValues.parse(committedInits.get(0).invoke().writes().get(0).value()).transaction();
    long initialTotal = total(sides.get(initTxn));
    List<String> found = new ArrayList<>();
    for (History.Pair read : o.history().pairs(BANK_READ)) {
      if (read.ok()) {
        checkRead(o, read, sides, initTxn, initialTotal, found);
      }
    }
    if (s.drainComplete()) {
      checkFinal(o, sides, writerOf, initialTotal, found);
    }
    return CheckResult.of(name(), "transactions", found);
  }

  private static void checkRead(
      Observations o,
      History.Pair read,
      Map<String, List<Msg>> sides,
      String initTxn,
      long initialTotal,
      List<String> found) {
    Map<Integer, Long> extent = new HashMap<>();
    for (Msg m : read.completion().commits()) {
      extent.put(m.partition(), m.offset());
    }
    long total = 0;
    Map<String, Set<String>> visible = new LinkedHashMap<>();
    for (Msg m : read.completion().reads()) {
      BankValues.Entry e = BankValues.parse(m.value());
      if (e != null) {
        total += e.delta();
        visible.computeIfAbsent(e.transaction(), t -> new LinkedHashSet<>()).add(m.value());
      }
    }
    String where = "the read completed at " + read.completion().time();
    boolean initComplete = false;
    boolean explained = true;
    for (Map.Entry<String, Set<String>> txn : visible.entrySet()) {
      List<Msg> all = sides.get(txn.getKey());
      if (all == null) {
        found.add(where + " sees " + txn.getValue() + " of a transaction nobody wrote");
        explained = false;
        continue;
      }
      List<Msg> missing = all.stream().filter(w -> !txn.getValue().contains(w.value())).toList();
      if (missing.isEmpty()) {
        initComplete |= txn.getKey().equals(initTxn);
        continue;
      }
      for (Msg side : missing) {
        Msg at = locate(o, side.value());
        long end = extent.getOrDefault(side.partition(), 0L);
        if (at == null || at.offset() < extent.getOrDefault(at.partition(), 0L)) {
          explained = false;
          found.add(
              where
                  + " sees "
                  + txn.getValue()
                  + " but not "
                  + side.value()
                  + (at == null
                      ? " (never read anywhere)"
                      : " at " + at.partition() + "/" + at.offset())
                  + ", below its end offset "
                  + end
                  + " in partition "
                  + side.partition());
        }
      }
      // cut by the read's end: its visible part is not part of a consistent total
      for (String value : txn.getValue()) {
        total -= BankValues.parse(value).delta();
      }
    }
    long expected = initComplete ? initialTotal : 0;
    if (explained && total != expected) {
      found.add(where + " totals " + total + " instead of " + expected);
    }
  }

  private static void checkFinal(
      Observations o,
      Map<String, List<Msg>> sides,
      Map<String, History.Pair> writerOf,
      long initialTotal,
      List<String> found) {
    long total = 0;
    for (Map.Entry<String, List<Msg>> txn : sides.entrySet()) {
      List<Msg> read =
          txn.getValue().stream().filter(w -> !o.readsOf(w.value()).isEmpty()).toList();
      if (!read.isEmpty() && read.size() < txn.getValue().size()) {
        found.add(
            "transaction "
                + txn.getKey()
                + " ("
                + writerOf.get(txn.getKey()).type()
                + ") is torn for good: only "
                + read.stream().map(Msg::value).toList()
                + " were ever read");
      }
      total += total(read);
    }
    if (total != initialTotal) {
      found.add(
          "the total over every bank record ever read is "
              + total
              + ", not the initial "
              + initialTotal);
    }
  }

  private static long total(List<Msg> writes) {
    long sum = 0;
    for (Msg w : writes) {
      sum += BankValues.parse(w.value()).delta();
    }
    return sum;
  }

  /** Where a value is stored, as any read or acknowledgement saw it; null if nobody did. */
  private static Msg locate(Observations o, String value) {
    Set<Msg> reads = o.readsOf(value);
    if (!reads.isEmpty()) {
      return reads.iterator().next();
    }
    History.Pair writer = o.writerOf(value);
    if (writer != null && writer.ok()) {
      for (Msg m : writer.completion().writes()) {
        if (m.value().equals(value) && m.offset() >= 0) {
          return m;
        }
      }
    }
    return null;
  }
}
