package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.InvalidTxnStateException;
import dev.quorum.client.IsolationLevel;
import dev.quorum.client.NewTopic;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerFencedException;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.TransactionAbortedException;
import dev.quorum.client.TransactionDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Transactions on three in-JVM nodes, through the client library. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionsIT {
  @TempDir static Path dir;
  private TestCluster cluster;
  private Admin admin;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    cluster = TestCluster.start(dir, 3);
    admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build());
    cluster.awaitAllNodesUp(admin);
  }

  @AfterEach
  void closeClients() {
    for (AutoCloseable client : clients) {
      try {
        client.close();
      } catch (Exception e) {
        // a fenced producer may fail to flush on close
      }
    }
    clients.clear();
  }

  @AfterAll
  void stopCluster() {
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anAbortedTransactionIsInvisibleToReadCommittedAndVisibleToReadUncommitted() {
    admin.createTopic(new NewTopic("tx-abort", 2, 3));
    Producer producer = transactional("aborter", Duration.ofMinutes(1));
    producer.initTransactions();
    producer.beginTransaction();
    send(producer, "tx-abort", "aborted-", 0, 10);
    producer.abortTransaction();
    producer.beginTransaction();
    send(producer, "tx-abort", "committed-", 0, 5);
    producer.commitTransaction();

    assertThat(drain("tx-abort", 2, IsolationLevel.READ_COMMITTED, 5))
        .containsExactlyInAnyOrder(values("committed-", 0, 5).toArray(String[]::new));
    List<String> everything = drain("tx-abort", 2, IsolationLevel.READ_UNCOMMITTED, 15);
    assertThat(everything).containsAll(values("aborted-", 0, 10)).hasSize(15);
  }

  @Test
  void aTransactionCommitsAfterOneOfItsTopicsWasDeleted() {
    admin.createTopic(new NewTopic("tx-kept", 1, 3));
    admin.createTopic(new NewTopic("tx-doomed", 1, 3));
    Producer producer = transactional("deleter", Duration.ofMinutes(1));
    producer.initTransactions();
    producer.beginTransaction();
    send(producer, "tx-kept", "kept-", 0, 3);
    send(producer, "tx-doomed", "doomed-", 0, 3);
    producer.flush();
    admin.deleteTopic("tx-doomed");

    // The deleted partition needs no marker: the coordinator must not wait for one forever.
    producer.commitTransaction();
    assertThat(drain("tx-kept", 1, IsolationLevel.READ_COMMITTED, 3))
        .containsExactlyElementsOf(values("kept-", 0, 3));
  }

  @Test
  void aZombieProducerIsFencedAndItsOpenTransactionAborted() {
    admin.createTopic(new NewTopic("tx-zombie", 1, 3));
    Producer zombie = transactional("worker-1", Duration.ofMinutes(1));
    zombie.initTransactions();
    zombie.beginTransaction();
    send(zombie, "tx-zombie", "zombie-", 0, 3);
    zombie.flush();

    Producer successor = transactional("worker-1", Duration.ofMinutes(1));
    successor.initTransactions();
    assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);
    successor.beginTransaction();
    send(successor, "tx-zombie", "successor-", 0, 3);
    successor.commitTransaction();

    assertThat(drain("tx-zombie", 1, IsolationLevel.READ_COMMITTED, 3))
        .containsExactly("successor-0", "successor-1", "successor-2");
    // The zombie cannot write into the successor's transactions either.
    assertThat(zombie.send(ProducerRecord.of("tx-zombie", bytes("late"))))
        .failsWithin(Duration.ofSeconds(30));
  }

  @Test
  void aMultiPartitionTransactionCommitsAllOrNothingAcrossACoordinatorFailover() {
    admin.createTopic(new NewTopic("tx-multi", 3, 3));
    Producer producer = transactional("multi", Duration.ofMinutes(1));
    producer.initTransactions();
    producer.beginTransaction();
    for (int p = 0; p < 3; p++) {
      for (int i = 0; i < 10; i++) {
        producer.send(
            ProducerRecord.builder("tx-multi").partition(p).value(bytes(p + "-" + i)).build());
      }
    }
    producer.flush();
    assertThat(drain("tx-multi", 3, IsolationLevel.READ_UNCOMMITTED, 30)).hasSize(30);
    assertThat(drain("tx-multi", 3, IsolationLevel.READ_COMMITTED, 0)).isEmpty();
    // Like Kafka's, a read_committed consumer's end offsets are the last stable offsets.
    assertThat(endOffsets("tx-multi", 3, IsolationLevel.READ_COMMITTED)).containsOnly(0L);
    assertThat(endOffsets("tx-multi", 3, IsolationLevel.READ_UNCOMMITTED)).containsOnly(10L);

    int coordinator = admin.describeTransaction("multi").coordinator();
    cluster.stop(coordinator);
    try {
      producer.commitTransaction();
      List<String> seen = drain("tx-multi", 3, IsolationLevel.READ_COMMITTED, 30);
      assertThat(seen).hasSize(30).doesNotHaveDuplicates();
      assertThat(admin.describeTransaction("multi").state()).isEqualTo("EMPTY");
      assertThat(admin.describeTransaction("multi").lastOutcome()).isEqualTo("COMMITTED");
    } finally {
      restart(coordinator);
    }
  }

  @Test
  void aTransactionOpenLongerThanItsTimeoutIsAborted() {
    admin.createTopic(new NewTopic("tx-timeout", 1, 3));
    Producer producer = transactional("slow", Duration.ofSeconds(1));
    producer.initTransactions();
    producer.beginTransaction();
    send(producer, "tx-timeout", "slow-", 0, 2);
    producer.flush();
    await(
        "the coordinator aborted the transaction",
        () -> {
          TransactionDescription t = admin.describeTransaction("slow");
          return t.state().equals("EMPTY") && t.lastOutcome().equals("ABORTED");
        });
    // A late record of the aborted transaction is refused without fencing the producer.
    assertThat(producer.send(ProducerRecord.of("tx-timeout", bytes("late"))))
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(dev.quorum.client.InvalidTxnStateException.class);
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(TransactionAbortedException.class);
    producer.abortTransaction();
    producer.beginTransaction();
    send(producer, "tx-timeout", "quick-", 0, 1);
    producer.commitTransaction();
    assertThat(drain("tx-timeout", 1, IsolationLevel.READ_COMMITTED, 1)).containsExactly("quick-0");
  }

  @Test
  void aConsumeTransformProduceLoopWithACrashOutputsEachInputExactlyOnce() {
    admin.createTopic(new NewTopic("ctp-in", 2, 3));
    admin.createTopic(new NewTopic("ctp-out", 2, 3));
    try (Producer input =
        Producer.create(ProducerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      for (int i = 0; i < 100; i++) {
        input.send(ProducerRecord.of("ctp-in", bytes("k" + i), bytes("" + i)));
      }
      input.flush();
    }

    // The first worker processes some batches, then dies in the middle of a transaction: its
    // outputs are written, its offsets are sent, but it never commits.
    Consumer consumer = groupConsumer("ctp");
    Producer producer = transactional("ctp-worker", Duration.ofMinutes(1));
    producer.initTransactions();
    consumer.subscribe(List.of("ctp-in"));
    int processed = 0;
    while (processed < 40) {
      processed += transform(consumer, producer, true);
    }
    while (transform(consumer, producer, false) == 0) {
      // until a batch was processed without commit
    }
    producer.close();
    consumer.close();
    clients.remove(producer);
    clients.remove(consumer);

    // Its replacement takes over the transactional id (aborting the open transaction) and the
    // group (resuming from the committed offsets), and finishes the input.
    Consumer replacementConsumer = groupConsumer("ctp");
    Producer replacement = transactional("ctp-worker", Duration.ofMinutes(1));
    replacement.initTransactions();
    replacementConsumer.subscribe(List.of("ctp-in"));
    await(
        "the input is consumed to its end",
        () -> {
          transform(replacementConsumer, replacement, true);
          Map<TopicPartition, Long> committed =
              replacementConsumer.committed(
                  java.util.Set.of(
                      new TopicPartition("ctp-in", 0), new TopicPartition("ctp-in", 1)));
          return committed.values().stream().mapToLong(Long::longValue).sum() == 100;
        });

    List<String> outputs = drain("ctp-out", 2, IsolationLevel.READ_COMMITTED, 100);
    assertThat(outputs).doesNotHaveDuplicates().hasSize(100);
    assertThat(outputs).containsExactlyInAnyOrderElementsOf(values("out-", 0, 100));
  }

  @Test
  void aHangingTransactionIsFoundAndAbortedWhileOneInProgressIsLeftToItsCoordinator() {
    admin.createTopic(new NewTopic("hang", 1, 3));
    TopicPartition tp = new TopicPartition("hang", 0);
    // A transactional batch whose producer never registered the partition with a coordinator (a
    // client that skips AddToTransaction): no coordinator will ever end that transaction.
    long stuckProducer = produceUnregisteredTransactionalBatch(tp, "stuck");
    try (Producer plain =
        Producer.create(ProducerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      plain.send(ProducerRecord.of("hang", null, bytes("after"))).join();
    }
    Producer live = transactional("hang-live", Duration.ofMinutes(1));
    live.initTransactions();
    live.beginTransaction();
    live.send(ProducerRecord.of("hang", null, bytes("live")));
    live.flush();
    TransactionDescription liveTxn = admin.describeTransaction("hang-live");

    assertThat(admin.describeProducers(tp))
        .filteredOn(p -> p.transactionOpen())
        .extracting(p -> p.producerId())
        .containsExactlyInAnyOrder(stuckProducer, liveTxn.producerId());
    assertThat(admin.findHangingTransactions())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.partition()).isEqualTo(tp);
              assertThat(h.producerId()).isEqualTo(stuckProducer);
              assertThat(h.transactionFirstOffset()).isZero();
            });
    assertThatThrownBy(
            () -> admin.abortTransaction(tp, liveTxn.producerId(), liveTxn.producerEpoch()))
        .isInstanceOf(InvalidTxnStateException.class)
        .hasMessageContaining("hang-live");

    admin.abortTransaction(tp, stuckProducer, 0);
    live.commitTransaction();

    assertThat(drain("hang", 1, IsolationLevel.READ_COMMITTED, 2)).containsExactly("after", "live");
    assertThat(admin.findHangingTransactions()).isEmpty();
    assertThatThrownBy(() -> admin.abortTransaction(tp, stuckProducer, 0))
        .isInstanceOf(InvalidTxnStateException.class)
        .hasMessageContaining("no open transaction");
  }

  /** Returns the producer id; sends straight to the leader, as no client of ours would. */
  private long produceUnregisteredTransactionalBatch(TopicPartition tp, String value) {
    long[] producerId = {0};
    await(
        "a transactional batch appended without registration",
        () -> {
          int leader = admin.describeTopic(tp.topic()).partitions().get(tp.partition()).leader();
          if (leader <= 0) {
            return false;
          }
          io.grpc.ManagedChannel channel = cluster.channelTo(leader);
          try {
            var broker = dev.quorum.protocol.v1.BrokerGrpc.newBlockingStub(channel);
            if (producerId[0] == 0) {
              producerId[0] =
                  broker
                      .initProducerId(
                          dev.quorum.protocol.v1.InitProducerIdRequest.getDefaultInstance())
                      .getProducerId();
            }
            var result =
                broker
                    .produce(
                        dev.quorum.protocol.v1.ProduceRequest.newBuilder()
                            .setTimeoutMs(10_000)
                            .addPartitions(
                                dev.quorum.protocol.v1.PartitionProduce.newBuilder()
                                    .setTopic(tp.topic())
                                    .setPartition(tp.partition())
                                    .addRecords(
                                        dev.quorum.protocol.v1.Record.newBuilder()
                                            .setValue(
                                                com.google.protobuf.ByteString.copyFromUtf8(value)))
                                    .setProducerId(producerId[0])
                                    .setProducerEpoch(0)
                                    .setBaseSequence(0)
                                    .setTransactional(true))
                            .build())
                    .getPartitions(0);
            return result.getError().getCode() == dev.quorum.protocol.v1.ErrorCode.NONE;
          } finally {
            channel.shutdownNow();
          }
        });
    return producerId[0];
  }

  @Test
  void aStepThatStoresItsInputOffsetsWithItsOutputIsExactlyOnceWithoutATransaction() {
    admin.createTopic(new NewTopic("eo-in", 2, 3));
    admin.createTopic(new NewTopic("eo-out", 1, 3));
    TopicPartition output = new TopicPartition("eo-out", 0);
    try (Producer input =
        Producer.create(ProducerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      for (int i = 0; i < 100; i++) {
        input.send(ProducerRecord.of("eo-in", bytes("k" + i), bytes("" + i)));
      }
      input.flush();
    }
    Producer producer = plainProducer();
    Map<TopicPartition, Long> expected = new HashMap<>();
    int[] conflicts = {0};

    // The first worker stores some output, then stalls holding a processed batch while its
    // partitions move to a replacement.
    Consumer first = groupConsumer("eo");
    first.subscribe(List.of("eo-in"), resumeFromStored(producer, output, expected));
    int written = 0;
    while (written < 40) {
      written +=
          storeWithOffsets(
              first.poll(Duration.ofMillis(200)), first, producer, expected, conflicts);
    }
    List<ConsumerRecord> stalled = new ArrayList<>();
    while (stalled.isEmpty()) {
      stalled.addAll(first.poll(Duration.ofMillis(200)));
    }
    Map<TopicPartition, Long> stalledExpected = new HashMap<>(expected);
    Map<TopicPartition, Long> zombieExpected = new HashMap<>(expected);
    first.close();
    clients.remove(first);

    Map<TopicPartition, Long> replacementExpected = new HashMap<>();
    Consumer replacement = groupConsumer("eo");
    replacement.subscribe(
        List.of("eo-in"), resumeFromStored(producer, output, replacementExpected));
    List<ConsumerRecord> firstPoll = new ArrayList<>();
    await(
        "the replacement resumed from the stored offsets",
        () -> {
          firstPoll.addAll(replacement.poll(Duration.ofMillis(200)));
          return replacementExpected.size() == 2;
        });
    // Now the stalled worker wakes up and stores its batch: the replacement read the offsets
    // before that, so its own write of the same input must be refused.
    assertThat(storeWithOffsets(stalled, null, producer, stalledExpected, conflicts)).isPositive();
    storeWithOffsets(firstPoll, replacement, producer, replacementExpected, conflicts);
    await(
        "every input is stored",
        () -> {
          storeWithOffsets(
              replacement.poll(Duration.ofMillis(200)),
              replacement,
              producer,
              replacementExpected,
              conflicts);
          return producer.sourceOffsets(output, "eo").values().stream()
                  .mapToLong(Long::longValue)
                  .sum()
              == 100;
        });
    assertThat(conflicts[0]).as("the replacement's writes refused").isPositive();
    // And a zombie that is late for good cannot store its stale batch at all.
    int before = conflicts[0];
    assertThat(storeWithOffsets(stalled, null, producer, zombieExpected, conflicts)).isZero();
    long stalledPartitions =
        stalled.stream().map(ConsumerRecord::topicPartition).distinct().count();
    assertThat(conflicts[0])
        .as("the zombie's writes refused")
        .isEqualTo(before + stalledPartitions);
    List<String> outputs = drain("eo-out", 1, IsolationLevel.READ_COMMITTED, 100);
    assertThat(outputs).doesNotHaveDuplicates().hasSize(100);
    assertThat(outputs).containsExactlyInAnyOrderElementsOf(values("out-", 0, 100));
  }

  /** On assignment: seek to the offsets stored with the output, and remember them as expected. */
  private static dev.quorum.client.RebalanceListener resumeFromStored(
      Producer producer, TopicPartition output, Map<TopicPartition, Long> expected) {
    return new dev.quorum.client.RebalanceListener() {
      @Override
      public void onPartitionsRevoked(
          Consumer consumer, java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(expected::remove);
      }

      @Override
      public void onPartitionsAssigned(
          Consumer consumer, java.util.Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> stored = producer.sourceOffsets(output, "eo");
        for (TopicPartition tp : partitions) {
          long at = stored.getOrDefault(tp, -1L);
          expected.put(tp, at);
          consumer.seek(tp, Math.max(0, at));
        }
      }
    };
  }

  /**
   * Stores each input partition's records' outputs with the partition's next offset; a write
   * refused because the input was stored meanwhile counts a conflict, and the consumer (if any)
   * goes on from what is stored. Returns the number of inputs stored.
   */
  private static int storeWithOffsets(
      List<ConsumerRecord> records,
      Consumer consumer,
      Producer producer,
      Map<TopicPartition, Long> expected,
      int[] conflicts) {
    TopicPartition output = new TopicPartition("eo-out", 0);
    Map<TopicPartition, List<ConsumerRecord>> byPartition = new java.util.LinkedHashMap<>();
    records.forEach(
        r -> byPartition.computeIfAbsent(r.topicPartition(), tp -> new ArrayList<>()).add(r));
    int stored = 0;
    for (Map.Entry<TopicPartition, List<ConsumerRecord>> e : byPartition.entrySet()) {
      TopicPartition tp = e.getKey();
      long from = expected.getOrDefault(tp, -1L);
      List<ConsumerRecord> batch =
          e.getValue().stream().filter(r -> r.offset() >= Math.max(0, from)).toList();
      if (batch.isEmpty()) {
        continue;
      }
      List<ProducerRecord> out = new ArrayList<>();
      batch.forEach(
          r ->
              out.add(
                  ProducerRecord.of(
                      "eo-out",
                      r.key(),
                      bytes("out-" + new String(r.value(), StandardCharsets.UTF_8)))));
      long next = batch.get(batch.size() - 1).offset() + 1;
      try {
        producer.sendWithOffsets(
            output, out, "eo", Map.of(tp, new dev.quorum.client.SourceOffsetUpdate(from, next)));
        expected.put(tp, next);
        stored += batch.size();
      } catch (dev.quorum.client.SourceOffsetConflictException conflict) {
        conflicts[0]++;
        long now = producer.sourceOffsets(output, "eo").getOrDefault(tp, -1L);
        expected.put(tp, now);
        if (consumer != null) {
          consumer.seek(tp, Math.max(0, now));
        }
      }
    }
    return stored;
  }

  private Producer plainProducer() {
    Producer producer =
        Producer.create(ProducerConfig.builder().bootstrap(cluster.bootstrap()).build());
    clients.add(producer);
    return producer;
  }

  /** One poll's worth of consume-transform-produce; returns the number of inputs processed. */
  private static int transform(Consumer consumer, Producer producer, boolean commit) {
    List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(200));
    if (records.isEmpty()) {
      return 0;
    }
    producer.beginTransaction();
    Map<TopicPartition, Long> next = new HashMap<>();
    for (ConsumerRecord r : records) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      producer.send(ProducerRecord.of("ctp-out", r.key(), bytes("out-" + value)));
      next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
    }
    producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
    if (commit) {
      producer.commitTransaction();
    } else {
      producer.flush();
    }
    return records.size();
  }

  private Producer transactional(String transactionalId, Duration timeout) {
    Producer producer =
        Producer.create(
            ProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .transactionalId(transactionalId)
                .transactionTimeout(timeout)
                .build());
    clients.add(producer);
    return producer;
  }

  private Consumer groupConsumer(String group) {
    Consumer consumer =
        Consumer.create(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .groupId(group)
                // Small polls, so the input takes several transactions.
                .maxPollRecords(10)
                .enableAutoCommit(false)
                .isolationLevel(IsolationLevel.READ_COMMITTED)
                .autoOffsetReset(OffsetResetPolicy.EARLIEST)
                .build());
    clients.add(consumer);
    return consumer;
  }

  /**
   * Reads every partition from the beginning with a fresh consumer until {@code expected} values
   * arrived and the consumer reached the end it sees, then returns them.
   */
  private List<String> drain(String topic, int partitions, IsolationLevel isolation, int expected) {
    List<String> seen = new ArrayList<>();
    try (Consumer consumer =
        Consumer.create(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .isolationLevel(isolation)
                .autoOffsetReset(OffsetResetPolicy.EARLIEST)
                .build())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      await(
          expected + " values read from " + topic,
          () -> {
            consumer
                .poll(Duration.ofMillis(100))
                .forEach(r -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
            return seen.size() >= expected;
          });
      // Anything beyond what was expected would show up in one more round.
      consumer
          .poll(Duration.ofMillis(300))
          .forEach(r -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
    }
    return seen;
  }

  private java.util.Collection<Long> endOffsets(
      String topic, int partitions, IsolationLevel isolation) {
    try (Consumer consumer =
        Consumer.create(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .isolationLevel(isolation)
                .build())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      return consumer.endOffsets(all).values();
    }
  }

  private void restart(int node) {
    try {
      cluster.start(node);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    cluster.awaitAllNodesUp(admin);
  }

  private static void send(Producer producer, String topic, String prefix, int from, int count) {
    for (String value : values(prefix, from, count)) {
      producer.send(ProducerRecord.of(topic, bytes(value), bytes(value)));
    }
  }

  private static List<String> values(String prefix, int from, int count) {
    List<String> values = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      values.add(prefix + i);
    }
    return values;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void await(String what, BooleanSupplier condition) {
    TestCluster.await(what, Duration.ofSeconds(60), condition);
  }
}
