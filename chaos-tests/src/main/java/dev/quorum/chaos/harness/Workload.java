package dev.quorum.chaos.harness;

import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import dev.quorum.chaos.history.Recorder;
import dev.quorum.client.BrokerException;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RebalanceListener;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The clients of a try, each on its own thread, recording every operation: writers send unique
 * values {@code w<i>-<n>} one at a time; assign-mode consumers tail every partition; group members
 * poll and commit. A client that sees an indeterminate outcome continues as a new process, as in
 * Jepsen, so that one process never has two operations open.
 */
final class Workload {
  static final String TOPIC = "chaos";
  static final String GROUP = "chaos-group";
  static final String OUTPUT = "chaos-out";
  static final String PROCESSING_GROUP = "chaos-eos";

  private final Scenario scenario;
  private final String bootstrap;
  private final Recorder recorder;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  Workload(Scenario scenario, String bootstrap, Recorder recorder) {
    this.scenario = scenario;
    this.bootstrap = bootstrap;
    this.recorder = recorder;
  }

  void start() {
    if (scenario.bankTransferers() > 0) {
      // first: the initial balances are committed before any other client writes
      new BankWorkload(this, scenario, bootstrap, recorder, stop).start();
    }
    for (int i = 0; i < scenario.writers(); i++) {
      int writer = i;
      spawn("chaos-writer-" + i, () -> write(writer));
    }
    for (int i = 0; i < scenario.assignConsumers(); i++) {
      spawn("chaos-tail-" + i, this::tail);
    }
    for (int i = 0; i < scenario.groupMembers(); i++) {
      spawn("chaos-member-" + i, this::member);
    }
    for (int i = 0; i < scenario.txnWriters(); i++) {
      int writer = i;
      spawn("chaos-txn-" + i, () -> transact(writer));
    }
    for (int i = 0; i < scenario.processors(); i++) {
      int worker = i;
      spawn("chaos-processor-" + i, () -> process(worker));
    }
  }

  void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  /** Stops every client and waits for their threads (each finishes its open operation). */
  void stop(Duration timeout) throws InterruptedException {
    stop.set(true);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (t.isAlive()) {
        t.interrupt();
        t.join(5_000);
      }
    }
  }

  private void write(int writer) {
    ProducerConfig config =
        ProducerConfig.builder()
            .bootstrap(bootstrap)
            .clientId("chaos-w" + writer)
            .linger(Duration.ofMillis(1))
            .requestTimeout(Duration.ofSeconds(2))
            .deliveryTimeout(Duration.ofSeconds(10))
            .enableIdempotence(scenario.idempotent())
            .build();
    int process = recorder.newProcess();
    try (Producer producer = Producer.create(config)) {
      for (long n = 0; !stop.get(); n++) {
        String value = "w" + writer + "-" + n;
        int partition = (int) ((n + writer) % scenario.partitions());
        recorder.record(
            Op.of(Op.Type.invoke, process, "send", 0).writes(List.of(Msg.sent(partition, value))));
        Op.Type type;
        Msg outcome = Msg.sent(partition, value);
        String error = null;
        try {
          RecordMetadata m =
              producer
                  .send(
                      ProducerRecord.builder(TOPIC)
                          .partition(partition)
                          .value(value.getBytes(StandardCharsets.UTF_8))
                          .build())
                  .get(30, TimeUnit.SECONDS);
          type = Op.Type.ok;
          outcome = new Msg(m.partition(), m.offset(), value);
        } catch (ExecutionException e) {
          type = outcomeOf(e.getCause());
          error = String.valueOf(e.getCause());
        } catch (TimeoutException e) {
          type = Op.Type.info;
          error = "no answer within 30s";
        } catch (InterruptedException e) {
          recorder.record(
              Op.of(Op.Type.info, process, "send", 0)
                  .writes(List.of(outcome))
                  .error("interrupted"));
          return;
        }
        Op done = Op.of(type, process, "send", 0).writes(List.of(outcome));
        recorder.record(error == null ? done : done.error(error));
        if (type == Op.Type.info) {
          process = recorder.newProcess();
        }
        pace();
      }
    }
  }

  /**
   * A transactional writer: each transaction sends 2-3 values ({@code t<i>-<n>}) over the
   * partitions, then commits, or (one in five) aborts on purpose. An abort that went through is a
   * definite {@code fail}; a commit that threw anything but "aborted" is {@code info}.
   */
  private void transact(int writer) {
    java.util.SplittableRandom random =
        new java.util.SplittableRandom(scenario.seed() * 17 + writer);
    long counter = 0;
    while (!stop.get()) {
      ProducerConfig config =
          transactionalProducer(bootstrap, "chaos-t" + writer, "chaos-tx-" + writer);
      try (Producer producer = Producer.create(config)) {
        producer.initTransactions();
        while (!stop.get()) {
          int size = 2 + random.nextInt(2);
          int first = random.nextInt(scenario.partitions());
          List<Msg> writes = new ArrayList<>();
          for (int k = 0; k < size; k++) {
            // consecutive partitions, so every transaction spans two or more of them
            int partition = (first + k) % scenario.partitions();
            writes.add(Msg.sent(partition, "t" + writer + "-" + counter++));
          }
          boolean abort = random.nextInt(5) == 0;
          if (!oneTransaction(producer, writes, abort)) {
            break; // the producer is in an unknown state: start over with a fresh one
          }
          pace();
        }
      } catch (RuntimeException e) {
        // initTransactions failed (no coordinator yet): try again with a fresh producer
        pace();
      }
    }
  }

  /** A transactional producer with the chaos clients' short timeouts, so faults surface fast. */
  static ProducerConfig transactionalProducer(
      String bootstrap, String clientId, String transactionalId) {
    return ProducerConfig.builder()
        .bootstrap(bootstrap)
        .clientId(clientId)
        .transactionalId(transactionalId)
        .transactionTimeout(Duration.ofSeconds(20))
        .linger(Duration.ofMillis(1))
        .requestTimeout(Duration.ofSeconds(2))
        .deliveryTimeout(Duration.ofSeconds(10))
        .maxBlock(Duration.ofSeconds(10))
        .build();
  }

  /**
   * Consume-transform-produce: polls the topic in the processing group, writes {@code x:<value>}
   * for each record to the output topic and commits the input offsets in the same transaction.
   * After any failure it starts over with a fresh consumer, which resumes at the committed offsets.
   */
  private void process(int worker) {
    while (!stop.get()) {
      ProducerConfig config =
          transactionalProducer(bootstrap, "chaos-p" + worker, "chaos-proc-" + worker);
      ConsumerConfig consumerConfig =
          ConsumerConfig.builder()
              .bootstrap(bootstrap)
              .fetchMaxWait(Duration.ofMillis(200))
              .requestTimeout(Duration.ofSeconds(3))
              .maxPollRecords(50)
              .isolationLevel(dev.quorum.client.IsolationLevel.READ_COMMITTED)
              .groupId(PROCESSING_GROUP)
              .enableAutoCommit(false)
              .autoOffsetReset(dev.quorum.client.OffsetResetPolicy.EARLIEST)
              .sessionTimeout(Duration.ofSeconds(6))
              .build();
      try (Producer producer = Producer.create(config);
          Consumer consumer = Consumer.create(consumerConfig)) {
        producer.initTransactions();
        consumer.subscribe(List.of(TOPIC));
        while (!stop.get()) {
          List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(500));
          if (!records.isEmpty() && !processBatch(producer, consumer, records)) {
            break;
          }
        }
      } catch (RuntimeException e) {
        pace(); // a poll or initTransactions failed: start over
      }
    }
  }

  /** One consume-transform-produce transaction; false when the worker must start over. */
  private boolean processBatch(Producer producer, Consumer consumer, List<ConsumerRecord> records) {
    List<Msg> inputs = toMsgs(records);
    List<Msg> outputs = new ArrayList<>();
    Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
    List<Msg> commits = new ArrayList<>();
    for (ConsumerRecord r : records) {
      offsets.merge(r.topicPartition(), r.offset() + 1, Math::max);
    }
    offsets.forEach((tp, o) -> commits.add(new Msg(tp.partition(), o, "")));
    for (Msg in : inputs) {
      outputs.add(new Msg(0, -1, "x:" + in.value(), OUTPUT));
    }
    int process = recorder.newProcess();
    recorder.record(
        Op.of(Op.Type.invoke, process, "process", 0)
            .group(PROCESSING_GROUP)
            .reads(inputs)
            .writes(outputs)
            .commits(commits));
    long commitTime = -1;
    try {
      producer.beginTransaction();
      for (Msg out : outputs) {
        producer.send(
            ProducerRecord.builder(OUTPUT)
                .partition(0)
                .value(out.value().getBytes(StandardCharsets.UTF_8))
                .build());
      }
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      commitTime = recorder.now();
      producer.commitTransaction();
      recorder.record(
          Op.of(Op.Type.ok, process, "process", 0)
              .group(PROCESSING_GROUP)
              .reads(inputs)
              .writes(outputs)
              .commits(commits)
              .commitTime(commitTime));
      return true;
    } catch (RuntimeException e) {
      boolean aborted =
          e instanceof dev.quorum.client.TransactionAbortedException
              || (commitTime < 0 && tryAbort(producer));
      recorder.record(
          Op.of(aborted ? Op.Type.fail : Op.Type.info, process, "process", 0)
              .group(PROCESSING_GROUP)
              .reads(inputs)
              .writes(outputs)
              .commits(commits)
              .commitTime(commitTime)
              .error(String.valueOf(e)));
      return false; // rewind: a fresh consumer resumes at the committed offsets
    }
  }

  /** Runs and records one transaction; false when the producer must be replaced. */
  boolean oneTransaction(Producer producer, List<Msg> writes, boolean abort) {
    int process = recorder.newProcess();
    recorder.record(Op.of(Op.Type.invoke, process, "txn", 0).writes(writes));
    long commitTime = -1;
    try {
      producer.beginTransaction();
      List<java.util.concurrent.CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
      for (Msg w : writes) {
        sent.add(
            producer.send(
                ProducerRecord.builder(TOPIC)
                    .partition(w.partition())
                    .value(w.value().getBytes(StandardCharsets.UTF_8))
                    .build()));
      }
      if (abort) {
        producer.abortTransaction();
        recorder.record(
            Op.of(Op.Type.fail, process, "txn", 0).writes(writes).error("aborted on purpose"));
        return true;
      }
      commitTime = recorder.now();
      producer.commitTransaction();
      List<Msg> acked = new ArrayList<>();
      for (int i = 0; i < writes.size(); i++) {
        RecordMetadata m = sent.get(i).getNow(null);
        acked.add(m == null ? writes.get(i) : writes.get(i).at(m.offset()));
      }
      recorder.record(Op.of(Op.Type.ok, process, "txn", 0).writes(acked).commitTime(commitTime));
      return true;
    } catch (dev.quorum.client.TransactionAbortedException e) {
      // definite: the transaction was aborted; the producer may still need an explicit abort
      boolean usable = tryAbort(producer);
      recorder.record(
          Op.of(Op.Type.fail, process, "txn", 0)
              .writes(writes)
              .commitTime(commitTime)
              .error(String.valueOf(e)));
      return usable;
    } catch (RuntimeException e) {
      if (commitTime < 0 && tryAbort(producer)) {
        recorder.record(
            Op.of(Op.Type.fail, process, "txn", 0).writes(writes).error("aborted after " + e));
        return true;
      }
      recorder.record(
          Op.of(Op.Type.info, process, "txn", 0)
              .writes(writes)
              .commitTime(commitTime)
              .error(String.valueOf(e)));
      return false;
    }
  }

  private static boolean tryAbort(Producer producer) {
    try {
      producer.abortTransaction();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  void pace() {
    try {
      Thread.sleep(scenario.sendIntervalMs()); // throughput pacing only, never synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop.set(true);
    }
  }

  static Op.Type outcomeOf(Throwable failure) {
    if (failure instanceof BrokerException b && !b.indeterminate()) {
      return Op.Type.fail;
    }
    return Op.Type.info;
  }

  /** Tails every partition from offset 0 with an assign-mode consumer. */
  private void tail() {
    List<TopicPartition> partitions = partitions();
    while (!stop.get()) {
      int process = recorder.newProcess();
      try (Consumer consumer = Consumer.create(consumerConfig(null))) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        recordAssign(process, consumer, partitions, null);
        pollLoop(consumer, process, null);
      } catch (RuntimeException e) {
        // the consumer broke outside a poll (assign, seek): start over with a fresh one
      }
    }
  }

  /** Polls until stopped; returns after a failed poll so the caller starts a fresh consumer. */
  private void pollLoop(Consumer consumer, int process, String group) {
    while (!stop.get()) {
      Op invoke = Op.of(Op.Type.invoke, process, "poll", 0);
      recorder.record(group == null ? invoke : invoke.group(group));
      List<ConsumerRecord> records;
      try {
        records = consumer.poll(Duration.ofMillis(500));
      } catch (RuntimeException e) {
        Op failed = Op.of(outcomeOf(e), process, "poll", 0).error(String.valueOf(e));
        recorder.record(group == null ? failed : failed.group(group));
        return;
      }
      Op ok = Op.of(Op.Type.ok, process, "poll", 0).reads(toMsgs(records));
      recorder.record(group == null ? ok : ok.group(group));
      if (group != null && !records.isEmpty() && !commit(consumer, process, group)) {
        return;
      }
    }
  }

  /** Commits the consumer's positions; false when that failed (the member then starts over). */
  private boolean commit(Consumer consumer, int process, String group) {
    List<Msg> positions = new ArrayList<>();
    for (TopicPartition tp : consumer.assignment()) {
      positions.add(new Msg(tp.partition(), consumer.position(tp), ""));
    }
    recorder.record(Op.of(Op.Type.invoke, process, "commit", 0).group(group).commits(positions));
    try {
      Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
      positions.forEach(p -> offsets.put(new TopicPartition(TOPIC, p.partition()), p.offset()));
      consumer.commitSync(offsets);
      recorder.record(Op.of(Op.Type.ok, process, "commit", 0).group(group).commits(positions));
      return true;
    } catch (RuntimeException e) {
      recorder.record(
          Op.of(outcomeOf(e), process, "commit", 0)
              .group(group)
              .commits(positions)
              .error(String.valueOf(e)));
      return false;
    }
  }

  /** A consumer group member: subscribe, poll, commit what it read after each poll. */
  private void member() {
    while (!stop.get()) {
      int process = recorder.newProcess();
      try (Consumer consumer = Consumer.create(consumerConfig(GROUP))) {
        consumer.subscribe(
            List.of(TOPIC),
            new RebalanceListener() {
              @Override
              public void onPartitionsRevoked(Consumer c, Collection<TopicPartition> revoked) {}

              @Override
              public void onPartitionsAssigned(Consumer c, Collection<TopicPartition> assigned) {}
            });
        pollLoop(consumer, process, GROUP);
      } catch (RuntimeException e) {
        // a commit failed (fenced, coordinator moved): rejoin with a fresh member
      }
    }
  }

  private ConsumerConfig consumerConfig(String group) {
    ConsumerConfig.Builder b =
        ConsumerConfig.builder()
            .bootstrap(bootstrap)
            .fetchMaxWait(Duration.ofMillis(200))
            .requestTimeout(Duration.ofSeconds(3))
            .maxPollRecords(200);
    if (scenario.readCommitted()) {
      b.isolationLevel(dev.quorum.client.IsolationLevel.READ_COMMITTED);
    }
    if (group != null) {
      // earliest, as Jepsen's safe mode: a group that starts late must still read everything
      b.groupId(group)
          .enableAutoCommit(false)
          .autoOffsetReset(dev.quorum.client.OffsetResetPolicy.EARLIEST)
          .sessionTimeout(Duration.ofSeconds(6));
    }
    return b.build();
  }

  private void recordAssign(
      int process, Consumer consumer, List<TopicPartition> partitions, String group) {
    List<Msg> positions = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      positions.add(new Msg(tp.partition(), 0, ""));
    }
    Op invoke = Op.of(Op.Type.invoke, process, "assign", 0).commits(positions);
    recorder.record(group == null ? invoke : invoke.group(group));
    Op ok = Op.of(Op.Type.ok, process, "assign", 0).commits(positions);
    recorder.record(group == null ? ok : ok.group(group));
  }

  List<TopicPartition> partitions() {
    List<TopicPartition> result = new ArrayList<>();
    for (int p = 0; p < scenario.partitions(); p++) {
      result.add(new TopicPartition(TOPIC, p));
    }
    return result;
  }

  static List<Msg> toMsgs(List<ConsumerRecord> records) {
    List<Msg> msgs = new ArrayList<>(records.size());
    for (ConsumerRecord r : records) {
      msgs.add(new Msg(r.partition(), r.offset(), new String(r.value(), StandardCharsets.UTF_8)));
    }
    return msgs;
  }
}
