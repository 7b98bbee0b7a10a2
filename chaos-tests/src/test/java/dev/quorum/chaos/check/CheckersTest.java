package dev.quorum.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each check against a hand-written history that must pass and one that must fail. */
class CheckersTest {

  private static CheckResult check(String name, History history) {
    return check(name, history, FinalState.healthy());
  }

  private static CheckResult check(String name, History history, FinalState state) {
    return Checkers.byName(name).check(new Observations(history), state);
  }

  private static void passes(String name, History history) {
    CheckResult r = check(name, history);
    assertThat(r.status()).as("%s", r).isEqualTo(CheckResult.Status.passed);
  }

  private static void fails(String name, History history) {
    CheckResult r = check(name, history);
    assertThat(r.status()).as("%s", r).isEqualTo(CheckResult.Status.failed);
    assertThat(r.count()).isPositive();
  }

  @Test
  void lostWrite() {
    passes(
        "lost-write",
        new H().send(1, "w1-0", 0).send(1, "w1-1", 1).poll(2, "0:w1-0", "1:w1-1").build());
    // w1-0 was acked at 0, offset 1 was read, but w1-0 never was
    fails("lost-write", new H().send(1, "w1-0", 0).send(1, "w1-1", 1).poll(2, "1:w1-1").build());
  }

  @Test
  void lostWriteIgnoresUnreadIndeterminateSends() {
    History h =
        new H()
            .sendInvoke(1, "w1-0")
            .sendDone(1, Op.Type.info, "w1-0")
            .send(3, "w3-0", 1)
            .poll(2, "1:w3-0")
            .build();
    passes("lost-write", h);
    passes("unseen-after-drain", h);
  }

  @Test
  void unseenAfterDrain() {
    passes("unseen-after-drain", new H().send(1, "w1-0", 0).poll(2, "0:w1-0").build());
    fails(
        "unseen-after-drain",
        new H().send(1, "w1-0", 0).send(1, "w1-1", 1).poll(2, "0:w1-0").build());
    CheckResult incomplete =
        check(
            "unseen-after-drain",
            new H().send(1, "w1-0", 0).poll(2, "0:w1-0").build(),
            new FinalState(true, 0, false, Map.of(), Map.of()));
    assertThat(incomplete.failed()).isTrue();
  }

  @Test
  void unexpected() {
    passes("unexpected", new H().send(1, "w1-0", 0).poll(2, "0:w1-0").build());
    fails("unexpected", new H().send(1, "w1-0", 0).poll(2, "0:w1-0", "1:garbage").build());
  }

  @Test
  void inconsistentOffsets() {
    passes("inconsistent-offsets", new H().send(1, "w1-0", 0).poll(2, "0:w1-0").build());
    // acked at offset 0, but offset 0 reads as something else
    fails(
        "inconsistent-offsets",
        new H().send(1, "w1-0", 0).send(3, "w3-0", 0).poll(2, "0:w3-0").build());
  }

  @Test
  void abortedRead() {
    History failedThenUnread =
        new H()
            .sendInvoke(1, "w1-0")
            .sendDone(1, Op.Type.fail, "w1-0")
            .send(3, "w3-0", 0)
            .poll(2, "0:w3-0")
            .build();
    passes("aborted-read", failedThenUnread);
    History failedButRead =
        new H().sendInvoke(1, "w1-0").sendDone(1, Op.Type.fail, "w1-0").poll(2, "0:w1-0").build();
    fails("aborted-read", failedButRead);
    History abortedTxnRead =
        new H()
            .txnInvoke(1, "t1-0", "t1-1")
            .txnDone(1, Op.Type.fail, -1, "t1-0", "t1-1")
            .poll(2, "0:t1-0")
            .build();
    fails("aborted-read", abortedTxnRead);
  }

  @Test
  void infoSendThatWasReadIsRecoveredNotAborted() {
    passes(
        "aborted-read",
        new H().sendInvoke(1, "w1-0").sendDone(1, Op.Type.info, "w1-0").poll(2, "0:w1-0").build());
  }

  @Test
  void lostMiddle() {
    passes(
        "lost-middle",
        new H()
            .send(1, "w1-0", 0)
            .send(1, "w1-1", 1)
            .send(1, "w1-2", 2)
            .poll(2, "0:w1-0", "1:w1-1", "2:w1-2")
            .build());
    fails(
        "lost-middle",
        new H()
            .send(1, "w1-0", 0)
            .send(1, "w1-1", 1)
            .send(1, "w1-2", 2)
            .poll(2, "0:w1-0", "2:w1-2")
            .build());
  }

  @Test
  void realtimeOrder() {
    passes("realtime-order", new H().send(1, "w1-0", 0).send(3, "w3-0", 1).build());
    // w3-0 was sent after w1-0 was acknowledged, yet got an earlier offset
    fails("realtime-order", new H().send(1, "w1-0", 5).send(3, "w3-0", 4).build());
    // concurrent sends may land in either order
    passes(
        "realtime-order",
        new H()
            .sendInvoke(1, "w1-0")
            .sendInvoke(3, "w3-0")
            .sendOk(1, "w1-0", 1)
            .sendOk(3, "w3-0", 0)
            .build());
  }

  @Test
  void pollContiguity() {
    passes("poll-contiguity", new H().assign(2, 0).poll(2, "0:a", "1:b").poll(2, "2:c").build());
    // offset 2 holds c (another consumer read it), yet process 2 jumped from 1 to 3
    fails(
        "poll-contiguity",
        new H().assign(2, 0).poll(2, "0:a", "1:b").poll(2, "3:d").poll(3, "2:c").build());
    fails("poll-contiguity", new H().assign(2, 0).poll(2, "0:a", "1:b").poll(2, "1:b").build());
    fails("poll-contiguity", new H().assign(2, 0).poll(2, "1:b").poll(3, "0:a").build());
    // a new assign (seek) restarts the expectation
    passes(
        "poll-contiguity", new H().assign(2, 0).poll(2, "0:a").assign(2, 0).poll(2, "0:a").build());
  }

  @Test
  void pollContiguityAllowsSkippingMarkersAndAbortedRecords() {
    // offset 1 never held a value anyone saw (a transaction marker): skipping it is fine
    passes("poll-contiguity", new H().assign(2, 0).poll(2, "0:a").poll(2, "2:c").build());
    // offset 1 held t1-0 of an aborted transaction, seen by a read_uncommitted reader
    History aborted =
        new H()
            .txnInvoke(1, "t1-0")
            .txnDone(1, Op.Type.fail, -1, "t1-0")
            .assign(2, 0)
            .poll(2, "0:a", "2:c")
            .build();
    passes("poll-contiguity", aborted);
  }

  @Test
  void commitWithoutGap() {
    passes(
        "commit-resume-gap",
        new H()
            .pollIn(2, "g", "0:a", "1:b")
            .commit(2, "g", 2)
            .pollIn(3, "g", "1:b", "2:c")
            .commit(3, "g", 3)
            .build());
    // the second member resumed at offset 2 though offset 1 (b, which a tailing consumer saw) was
    // never read by the group
    fails(
        "commit-resume-gap",
        new H()
            .pollIn(2, "g", "0:a")
            .commit(2, "g", 1)
            .pollIn(3, "g", "2:c")
            .commit(3, "g", 3)
            .poll(9, "1:b")
            .build());
  }

  @Test
  void duplicate() {
    passes("duplicate", new H().send(1, "w1-0", 0).poll(2, "0:w1-0").poll(3, "0:w1-0").build());
    fails("duplicate", new H().send(1, "w1-0", 0).poll(2, "0:w1-0", "1:w1-0").build());
  }

  @Test
  void duplicateIsNotCheckedForNonIdempotentWriters() {
    assertThat(Checkers.forRun(false)).noneMatch(c -> c.name().equals("duplicate"));
  }

  @Test
  void tornTransaction() {
    History whole =
        new H()
            .txnInvoke(1, "t1-0", "t1-1")
            .txnDone(1, Op.Type.ok, 2, "t1-0", "t1-1")
            .poll(2, "0:t1-0")
            .build();
    // t1-1 went to partition 1 (see H.txnInvoke); only partition 0 was read here
    fails("torn-transaction", whole);
    History both =
        new H().txnInvoke(1, "t1-0", "t1-1").txnDone(1, Op.Type.ok, 2, "t1-0", "t1-1").build();
    History bothRead =
        new History(
            concat(
                both.ops(),
                List.of(
                    Op.of(Op.Type.invoke, 2, "poll", 10),
                    Op.of(Op.Type.ok, 2, "poll", 11)
                        .reads(List.of(new Msg(0, 0, "t1-0"), new Msg(1, 0, "t1-1"))))));
    passes("torn-transaction", bothRead);
    History noneRead =
        new H().txnInvoke(1, "t1-0", "t1-1").txnDone(1, Op.Type.info, 2, "t1-0", "t1-1").build();
    passes("torn-transaction", noneRead);
  }

  @Test
  void precommittedRead() {
    H early = new H().txnInvoke(1, "t1-0").poll(2, "0:t1-0");
    History readBeforeCommit = early.txnDone(1, Op.Type.ok, early.now() + 1, "t1-0").build();
    fails("precommitted-read", readBeforeCommit);
    H late = new H().txnInvoke(1, "t1-0");
    long commit = late.now() + 1;
    History readAfterCommit = late.txnDone(1, Op.Type.ok, commit, "t1-0").poll(2, "0:t1-0").build();
    passes("precommitted-read", readAfterCommit);
  }

  @Test
  void consumeOnce() {
    FinalState upToTwo = new FinalState(true, 0, true, Map.of(), Map.of(), Map.of(0, 2L));
    History once =
        new H()
            .send(1, "w1-0", 0)
            .send(1, "w1-1", 1)
            .send(1, "w1-2", 2)
            .process(5, "0:w1-0", "1:w1-1")
            .poll(2, "0:w1-0", "1:w1-1", "2:w1-2")
            .pollOutput(3, "0:x:w1-0", "1:x:w1-1")
            .build();
    assertThat(check("consume-once", once, upToTwo).status()).isEqualTo(CheckResult.Status.passed);
    History twice =
        new H()
            .send(1, "w1-0", 0)
            .send(1, "w1-1", 1)
            .process(5, "0:w1-0", "1:w1-1")
            .process(6, "0:w1-0")
            .poll(2, "0:w1-0", "1:w1-1")
            .pollOutput(3, "0:x:w1-0", "1:x:w1-1", "2:x:w1-0")
            .build();
    assertThat(check("consume-once", twice, upToTwo).failed()).isTrue();
    History skipped =
        new H()
            .send(1, "w1-0", 0)
            .send(1, "w1-1", 1)
            .process(5, "1:w1-1")
            .poll(2, "0:w1-0", "1:w1-1")
            .pollOutput(3, "0:x:w1-1")
            .build();
    assertThat(check("consume-once", skipped, upToTwo).failed()).isTrue();
    // an output whose input offset was never committed: the transaction was torn
    FinalState upToOne = new FinalState(true, 0, true, Map.of(), Map.of(), Map.of(0, 1L));
    assertThat(check("consume-once", once, upToOne).failed()).isTrue();
  }

  @Test
  void outputTopicMessagesDoNotCountAsMainTopicOffsets() {
    History h =
        new H()
            .send(1, "w1-0", 0)
            .process(5, "0:w1-0")
            .poll(2, "0:w1-0")
            .pollOutput(3, "0:x:w1-0")
            .build();
    passes("inconsistent-offsets", h);
    passes("unexpected", h);
  }

  @Test
  void replicaConvergence() {
    History h = new H().send(1, "w1-0", 0).build();
    FinalState same =
        new FinalState(
            true,
            0,
            true,
            Map.of(0, Map.of(1, 5L, 2, 5L, 3, 5L)),
            Map.of(0, Map.of(1, List.of("a"), 2, List.of("a"))));
    assertThat(check("replica-convergence", h, same).status()).isEqualTo(CheckResult.Status.passed);
    FinalState behind = new FinalState(true, 0, true, Map.of(0, Map.of(1, 5L, 2, 4L)), Map.of());
    assertThat(check("replica-convergence", h, behind).failed()).isTrue();
    FinalState split =
        new FinalState(
            true, 0, true, Map.of(), Map.of(0, Map.of(1, List.of("a", "b"), 2, List.of("a", "c"))));
    assertThat(check("replica-convergence", h, split).failed()).isTrue();
  }

  /** A batch of producer 9, epoch 0, at {@code offset} with sequences from {@code sequence}. */
  private static ReplicaDump.StoredBatch batch(long offset, int sequence, String... values) {
    return new ReplicaDump.StoredBatch(
        offset, values.length, 9, 0, sequence, false, false, List.of(values));
  }

  private static ReplicaDump dump(ReplicaDump.StoredBatch... batches) {
    long end = 0;
    for (ReplicaDump.StoredBatch b : batches) {
      end = Math.max(end, b.baseOffset() + b.count());
    }
    return new ReplicaDump(0, end, List.of(batches), null);
  }

  private static FinalState dumped(Map<Integer, ReplicaDump> partition0) {
    return FinalState.healthy().withDumps(Map.of(0, partition0));
  }

  @Test
  void replicaConvergenceComparesDumpedBatches() {
    History h = new H().send(1, "w1-0", 0).send(1, "w1-1", 1).build();
    ReplicaDump full = dump(batch(0, 0, "w1-0"), batch(1, 1, "w1-1"));
    assertThat(check("replica-convergence", h, dumped(Map.of(1, full, 2, full, 3, full))).status())
        .isEqualTo(CheckResult.Status.passed);
    // An abort marker applied on one replica only changes no stored data: still the same log.
    ReplicaDump abortSeen =
        dump(
            batch(0, 0, "w1-0"),
            new ReplicaDump.StoredBatch(1, 1, 9, 0, 1, false, true, List.of("w1-1")));
    assertThat(check("replica-convergence", h, dumped(Map.of(1, full, 2, abortSeen))).failed())
        .isFalse();

    // Same end offsets, different values at offset 1: the end-offset check alone misses this.
    ReplicaDump diverged = dump(batch(0, 0, "w1-0"), batch(1, 1, "w1-X"));
    CheckResult split = check("replica-convergence", h, dumped(Map.of(1, full, 2, diverged)));
    assertThat(split.failed()).isTrue();
    assertThat(split.examples()).anySatisfy(e -> assertThat(e).contains("from offset 1"));

    // A replica without the acknowledged offset 1 does not hold the committed end.
    ReplicaDump short1 = dump(batch(0, 0, "w1-0"));
    CheckResult behind =
        check("replica-convergence", h, dumped(Map.of(1, short1, 2, short1, 3, short1)));
    assertThat(behind.failed()).isTrue();
    assertThat(behind.examples()).anySatisfy(e -> assertThat(e).contains("were committed"));

    assertThat(
            check(
                    "replica-convergence",
                    h,
                    dumped(Map.of(1, full, 2, ReplicaDump.unreadable("not stopped cleanly"))))
                .failed())
        .isTrue();
  }

  @Test
  void producerSequence() {
    History h = new H().build();
    FinalState contiguous =
        dumped(
            Map.of(
                1,
                dump(
                    batch(0, 0, "a", "b"),
                    batch(2, 2, "c"),
                    // another epoch starts again at 0
                    new ReplicaDump.StoredBatch(3, 1, 9, 1, 0, true, true, List.of("d")),
                    // a producer without an id is not judged
                    new ReplicaDump.StoredBatch(4, 1, 0, 0, 0, false, false, List.of("a")))));
    assertThat(check("producer-sequence", h, contiguous).status())
        .isEqualTo(CheckResult.Status.passed);

    CheckResult repeat =
        check("producer-sequence", h, dumped(Map.of(1, dump(batch(0, 0, "a"), batch(1, 0, "b")))));
    assertThat(repeat.failed()).isTrue();
    assertThat(repeat.examples()).anySatisfy(e -> assertThat(e).contains("repeats"));

    CheckResult gap =
        check("producer-sequence", h, dumped(Map.of(1, dump(batch(0, 0, "a"), batch(1, 2, "b")))));
    assertThat(gap.failed()).isTrue();
    assertThat(gap.examples()).anySatisfy(e -> assertThat(e).contains("skips"));

    // The retry appended again as a new batch with fresh sequences still stores a value twice.
    CheckResult twice =
        check("producer-sequence", h, dumped(Map.of(1, dump(batch(0, 0, "a"), batch(1, 1, "a")))));
    assertThat(twice.failed()).isTrue();
    assertThat(twice.examples()).anySatisfy(e -> assertThat(e).contains("two batches"));

    assertThat(check("producer-sequence", h, FinalState.healthy()).status())
        .isEqualTo(CheckResult.Status.skipped);
  }

  /** Initial balances 100 + 100 on partitions 0 and 1, then transfer b0-0: 5 from 0 to 1. */
  private static H bank() {
    return new H()
        .txnInvoke(1, "binit-0/0/100", "binit-0/1/100")
        .txnDone(1, Op.Type.ok, 1, "binit-0/0/100", "binit-0/1/100")
        .txnInvoke(2, "b0-0/0/-5", "b0-0/1/5")
        .txnDone(2, Op.Type.ok, 3, "b0-0/0/-5", "b0-0/1/5");
  }

  private static final String[] ALL = {
    "0:0:binit-0/0/100", "1:0:binit-0/1/100", "0:1:b0-0/0/-5", "1:1:b0-0/1/5"
  };

  @Test
  void bankTotalsAndTornTransfers() {
    // A read that stopped before the debit's offset in partition 0 may see only the credit.
    passes(
        "bank",
        bank()
            .bankRead(
                3, new long[] {1, 2}, "0:0:binit-0/0/100", "1:0:binit-0/1/100", "1:1:b0-0/1/5")
            .bankRead(3, new long[] {2, 2}, ALL)
            .build());
    // A read before the transfer's records (and a run without a bank) pass too.
    passes(
        "bank",
        bank()
            .bankRead(3, new long[] {1, 1}, ALL[0], ALL[1])
            .bankRead(4, new long[] {2, 2}, ALL)
            .build());
    assertThat(check("bank", new H().send(1, "w1-0", 0).build()).status())
        .isEqualTo(CheckResult.Status.skipped);

    // The debit is below where the read stopped in partition 0, yet it is missing: torn.
    CheckResult torn =
        check(
            "bank",
            bank()
                .bankRead(
                    3, new long[] {2, 2}, "0:0:binit-0/0/100", "1:0:binit-0/1/100", "1:1:b0-0/1/5")
                .bankRead(4, new long[] {2, 2}, ALL)
                .build());
    assertThat(torn.failed()).as("%s", torn).isTrue();
    assertThat(torn.examples()).anySatisfy(e -> assertThat(e).contains("below its end offset"));

    // A record counted twice (stored at two offsets) breaks the total.
    CheckResult doubled =
        check(
            "bank",
            bank()
                .bankRead(
                    3,
                    new long[] {3, 2},
                    "0:0:binit-0/0/100",
                    "1:0:binit-0/1/100",
                    "0:1:b0-0/0/-5",
                    "1:1:b0-0/1/5",
                    "0:2:b0-0/1/5")
                .build());
    assertThat(doubled.failed()).as("%s", doubled).isTrue();
    assertThat(doubled.examples()).anySatisfy(e -> assertThat(e).contains("totals 205"));

    // After the drain only the credit was ever read: the transfer is torn for good.
    CheckResult forGood =
        check("bank", bank().bankRead(3, new long[] {1, 2}, ALL[0], ALL[1], ALL[3]).build());
    assertThat(forGood.failed()).as("%s", forGood).isTrue();
    assertThat(forGood.examples()).anySatisfy(e -> assertThat(e).contains("torn for good"));
  }

  @Test
  void recovery() {
    History h = new H().build();
    assertThat(check("recovery-after-heal", h, FinalState.healthy()).failed()).isFalse();
    assertThat(
            check("recovery-after-heal", h, new FinalState(false, 30_000, true, Map.of(), Map.of()))
                .failed())
        .isTrue();
  }

  @Test
  void historyRoundTripsThroughJsonl(@TempDir Path dir) throws Exception {
    History h =
        new H()
            .send(1, "w1-0", 0)
            .txnInvoke(3, "t")
            .txnDone(3, Op.Type.info, 7, "t")
            .poll(2, "0:w1-0")
            .build();
    Path file = dir.resolve("history.jsonl");
    h.writeJsonl(file);
    assertThat(History.readJsonl(file).ops()).isEqualTo(h.ops());
  }

  @Test
  void anInvocationWithoutCompletionCountsAsIndeterminate() {
    History h = new H().sendInvoke(1, "w1-0").build();
    assertThat(h.pairs())
        .singleElement()
        .satisfies(p -> assertThat(p.type()).isEqualTo(Op.Type.info));
  }

  private static List<Op> concat(List<Op> a, List<Op> b) {
    List<Op> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
