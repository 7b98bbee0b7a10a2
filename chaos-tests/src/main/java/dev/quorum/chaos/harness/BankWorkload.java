package dev.quorum.chaos.harness;

import dev.quorum.chaos.check.BankValues;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import dev.quorum.chaos.history.Recorder;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.IsolationLevel;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jepsen's bank workload on the run's topic: {@value BankValues#ACCOUNTS} accounts spread over the
 * partitions, their initial balances written in one transaction before anything else, then
 * transactional producers that each move a random amount between two accounts on different
 * partitions (a debit and a credit in one transaction; one in five aborted on purpose), and
 * read_committed readers that read every partition from offset 0 to its end, again and again. A
 * read is recorded as a {@code bank-read} operation: the bank records it saw, and in its commits
 * the offset it stopped at in each partition. The {@code bank} check judges them.
 */
final class BankWorkload {
  private static final Logger LOG = LoggerFactory.getLogger(BankWorkload.class);

  /** One read of the whole topic; past this the read is given up (indeterminate). */
  private static final Duration READ_BOUND = Duration.ofSeconds(20);

  private final Workload workload;
  private final Scenario scenario;
  private final String bootstrap;
  private final Recorder recorder;
  private final AtomicBoolean stop;

  BankWorkload(
      Workload workload,
      Scenario scenario,
      String bootstrap,
      Recorder recorder,
      AtomicBoolean stop) {
    this.workload = workload;
    this.scenario = scenario;
    this.bootstrap = bootstrap;
    this.recorder = recorder;
    this.stop = stop;
  }

  /** Writes the initial balances (on this thread), then starts the transfers and the readers. */
  void start() {
    if (!initialBalances()) {
      LOG.warn("the bank's initial balances were not committed knowingly: no transfers this try");
      return;
    }
    for (int i = 0; i < scenario.bankTransferers(); i++) {
      int writer = i;
      workload.spawn("chaos-bank-transfer-" + i, () -> transfers(writer));
    }
    for (int i = 0; i < scenario.bankReaders(); i++) {
      workload.spawn("chaos-bank-reader-" + i, this::reads);
    }
  }

  private ProducerConfig producerConfig(String transactionalId) {
    return Workload.transactionalProducer(bootstrap, transactionalId, transactionalId);
  }

  /**
   * One transaction with every account's balance, retried while it fails definitely (a fresh
   * attempt number keeps values unique); false when an attempt ended indeterminate, since a retry
   * could then count the balances twice.
   */
  private boolean initialBalances() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (int attempt = 0; !stop.get() && System.nanoTime() < deadline; attempt++) {
      List<Msg> writes = new ArrayList<>();
      for (int account = 0; account < BankValues.ACCOUNTS; account++) {
        writes.add(
            Msg.sent(
                BankValues.partitionOf(account, scenario.partitions()),
                BankValues.init(attempt, account, BankValues.INITIAL_BALANCE)));
      }
      try (Producer producer = Producer.create(producerConfig("chaos-bank-init"))) {
        producer.initTransactions();
        if (!workload.oneTransaction(producer, writes, false)) {
          return false; // indeterminate
        }
      } catch (RuntimeException e) {
        // initTransactions failed (no coordinator yet): nothing was written, try again
        workload.pace();
        continue;
      }
      Op.Type last = outcomeOf(writes.get(0).value());
      if (last == Op.Type.ok) {
        return true;
      }
      workload.pace();
    }
    return false;
  }

  /** How the transaction that wrote {@code value} ended, as recorded. */
  private Op.Type outcomeOf(String value) {
    List<Op> ops = recorder.history().ops();
    for (int i = ops.size() - 1; i >= 0; i--) {
      Op op = ops.get(i);
      if (op.f().equals("txn")
          && op.type() != Op.Type.invoke
          && op.writes().stream().anyMatch(w -> w.value().equals(value))) {
        return op.type();
      }
    }
    return Op.Type.info;
  }

  /** Transfers of writer {@code writer}: a debit and a credit on different partitions per txn. */
  private void transfers(int writer) {
    SplittableRandom random = new SplittableRandom(scenario.seed() * 31 + 7 + writer);
    int partitions = scenario.partitions();
    long counter = 0;
    while (!stop.get()) {
      try (Producer producer = Producer.create(producerConfig("chaos-bank-" + writer))) {
        producer.initTransactions();
        while (!stop.get()) {
          int from = random.nextInt(BankValues.ACCOUNTS);
          int to = random.nextInt(BankValues.ACCOUNTS);
          if (BankValues.partitionOf(from, partitions) == BankValues.partitionOf(to, partitions)) {
            continue; // a transfer must span two partitions to be able to tear
          }
          long amount = 1 + random.nextInt(20);
          long n = counter++;
          List<Msg> writes =
              List.of(
                  Msg.sent(
                      BankValues.partitionOf(from, partitions),
                      BankValues.transfer(writer, n, from, -amount)),
                  Msg.sent(
                      BankValues.partitionOf(to, partitions),
                      BankValues.transfer(writer, n, to, amount)));
          if (!workload.oneTransaction(producer, writes, random.nextInt(5) == 0)) {
            break; // the producer is in an unknown state: start over with a fresh one
          }
          workload.pace();
        }
      } catch (RuntimeException e) {
        workload.pace(); // initTransactions failed: try again with a fresh producer
      }
    }
  }

  /** Reads the whole topic, read_committed, from offset 0 to its end, again and again. */
  private void reads() {
    List<TopicPartition> parts = workload.partitions();
    ConsumerConfig config =
        ConsumerConfig.builder()
            .bootstrap(bootstrap)
            .fetchMaxWait(Duration.ofMillis(200))
            .requestTimeout(Duration.ofSeconds(3))
            .maxPollRecords(1000)
            .isolationLevel(IsolationLevel.READ_COMMITTED)
            .build();
    while (!stop.get()) {
      int process = recorder.newProcess();
      try (Consumer consumer = Consumer.create(config)) {
        consumer.assign(parts);
        while (!stop.get() && readOnce(consumer, parts, process)) {
          pause();
        }
      } catch (RuntimeException e) {
        workload.pace(); // the consumer broke outside a read: start over with a fresh one
      }
    }
  }

  /** Each read covers the whole topic: a pause between reads keeps the 2 cores usable. */
  private void pause() {
    try {
      Thread.sleep(READ_PAUSE_MS); // pacing only, never synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop.set(true);
    }
  }

  private static final long READ_PAUSE_MS = 250;

  /** One read of every partition; false when it failed (the caller starts a fresh consumer). */
  private boolean readOnce(Consumer consumer, List<TopicPartition> parts, int process) {
    recorder.record(Op.of(Op.Type.invoke, process, BankValues.READ_OP, 0));
    List<Msg> seen = new ArrayList<>();
    try {
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + READ_BOUND.toNanos();
      while (!parts.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
        if (System.nanoTime() > deadline || stop.get()) {
          recorder.record(
              Op.of(Op.Type.info, process, BankValues.READ_OP, 0).error("the read did not finish"));
          return false;
        }
        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
          Msg m = Workload.toMsgs(List.of(r)).get(0);
          if (BankValues.parse(m.value()) != null) {
            seen.add(m);
          }
        }
      }
      List<Msg> extents = new ArrayList<>();
      for (TopicPartition tp : parts) {
        extents.add(new Msg(tp.partition(), consumer.position(tp), ""));
      }
      recorder.record(
          Op.of(Op.Type.ok, process, BankValues.READ_OP, 0).reads(seen).commits(extents));
      return true;
    } catch (RuntimeException e) {
      recorder.record(
          Op.of(Workload.outcomeOf(e), process, BankValues.READ_OP, 0).error(String.valueOf(e)));
      return false;
    }
  }
}
