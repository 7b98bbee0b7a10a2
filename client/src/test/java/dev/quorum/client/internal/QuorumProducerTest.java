package dev.quorum.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.BrokerException;
import dev.quorum.client.LeaderNotAvailableException;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownPartitionException;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.ProduceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QuorumProducerTest {
  private final FakeCluster cluster = new FakeCluster(2);
  private QuorumProducer producer;

  @AfterEach
  void tearDown() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
    cluster.close();
  }

  private QuorumProducer producer(ProducerConfig.Builder config) {
    producer =
        new QuorumProducer(config.bootstrap(cluster.bootstrap()).build(), cluster.connections());
    return producer;
  }

  private static ProducerConfig.Builder config() {
    return ProducerConfig.builder()
        .bootstrap("unused:1")
        .retryBackoff(Duration.ofMillis(10))
        .requestTimeout(Duration.ofSeconds(2));
  }

  private static ProducerRecord record(String topic, int partition, String value) {
    return ProducerRecord.builder(topic).partition(partition).value(value.getBytes(UTF_8)).build();
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isNotNull();
    return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
  }

  @Test
  void batchesPerPartitionAndSendsOneRequestPerLeader() {
    cluster.createTopic("t", 1, 2, 1, 2);
    producer(config().linger(Duration.ofMinutes(1)));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      futures.add(producer.send(record("t", i % 4, "v" + i)));
    }
    producer.flush();

    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    for (int node = 1; node <= 2; node++) {
      List<ProduceRequest> requests = cluster.produceRequests.get(node);
      assertThat(requests).hasSize(1);
      assertThat(requests.get(0).getPartitionsList())
          .extracting(PartitionProduce::getPartition)
          .containsExactlyInAnyOrder(node - 1, node + 1);
      assertThat(requests.get(0).getPartitionsList())
          .allSatisfy(p -> assertThat(p.getRecordsCount()).isEqualTo(2));
    }
    assertThat(cluster.values(new TopicPartition("t", 0))).containsExactly("v0", "v4");
    assertThat(futures.get(4).join()).isEqualTo(new RecordMetadata("t", 0, 1, 1000));
  }

  @Test
  void batchNeverExceedsBatchSizeUnlessOneRecordIsBigger() {
    cluster.createTopic("t", 1);
    producer(config().linger(Duration.ofMinutes(1)).batchSize(100));
    String big = "x".repeat(300);
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (String v : List.of("a".repeat(40), "b".repeat(40), "c".repeat(40), big, "d")) {
      futures.add(producer.send(record("t", 0, v)));
    }
    producer.flush();

    assertThat(futures).allMatch(f -> !f.isCompletedExceptionally());
    // Batches of one partition may share a request (several in flight), never a batch.
    assertThat(cluster.produced(new TopicPartition("t", 0)))
        .extracting(PartitionProduce::getRecordsCount)
        .containsExactly(2, 1, 1, 1);
  }

  @Test
  void aFullBatchIsSentWithoutWaitingForItsLingerAndTheRestKeepsLingering() throws Exception {
    cluster.createTopic("t", 1);
    producer(config().linger(Duration.ofMinutes(1)).batchSize(100));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (String v : List.of("a".repeat(40), "b".repeat(40), "c".repeat(40))) {
      futures.add(producer.send(record("t", 0, v)));
    }

    assertThat(futures.get(1).get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
    assertThat(futures.get(0)).isCompleted();
    assertThat(futures.get(2)).isNotDone();
    assertThat(cluster.produced(new TopicPartition("t", 0)))
        .extracting(PartitionProduce::getRecordsCount)
        .containsExactly(2);
  }

  @Test
  void notLeaderWithHintIsRetriedOnTheHintedNode() {
    cluster.createTopic("t", 2);
    cluster.advertisedLeaders.put(new TopicPartition("t", 0), 1);
    producer(config().linger(Duration.ZERO));

    RecordMetadata m = producer.send(record("t", 0, "hello")).join();

    assertThat(m.offset()).isZero();
    assertThat(cluster.produceRequests.get(1)).isNotEmpty();
    assertThat(cluster.produceRequests.get(2)).hasSize(1);
    assertThat(cluster.values(new TopicPartition("t", 0))).containsExactly("hello");
  }

  @Test
  void aNotLeaderAnswerNamingTheNewLeaderIsRetriedThereWithoutBackingOff() throws Exception {
    cluster.createTopic("t", 2);
    cluster.advertisedLeaders.put(new TopicPartition("t", 0), 1);
    // A backoff far longer than the wait below: only a retry without one can succeed in time.
    producer(config().linger(Duration.ZERO).retryBackoff(Duration.ofMinutes(5)));

    RecordMetadata m = producer.send(record("t", 0, "hello")).get(10, TimeUnit.SECONDS);

    assertThat(m.offset()).isZero();
    assertThat(cluster.produceRequests.get(2)).hasSize(1);
  }

  @Test
  void timeoutsSurfaceAsIndeterminateWhenRetriesRunOut() {
    cluster.createTopic("t", 1);
    // Long enough for a second attempt on a loaded machine.
    producer(config().linger(Duration.ZERO).deliveryTimeout(Duration.ofSeconds(2)));
    // Obtain the producer id first: on a loaded machine the first InitProducerId alone can take
    // a good part of the delivery timeout.
    while (!producer.send(record("t", 0, "first")).handle((m, e) -> e == null).join()) {
      Thread.onSpinWait();
    }
    AtomicInteger attempts = new AtomicInteger();
    // The first attempt may have been written; later ones certainly were not. The final error is
    // the last one, but must still say "maybe written".
    cluster.produceHook =
        timesOutOnceThen(attempts, ErrorCode.LEADER_NOT_AVAILABLE, "election in progress");

    Throwable e = failure(producer.send(record("t", 0, "v")));

    assertThat(e).isInstanceOf(LeaderNotAvailableException.class);
    assertThat(((BrokerException) e).indeterminate()).isTrue();
    assertThat(e.getMessage()).contains("election in progress");
    assertThat(attempts.get()).isGreaterThan(1);
  }

  @Test
  void aDefiniteRefusalAfterAnAttemptThatMayHaveWrittenIsIndeterminate() {
    cluster.createTopic("t", 1);
    producer(config().linger(Duration.ZERO).deliveryTimeout(Duration.ofSeconds(5)));
    AtomicInteger attempts = new AtomicInteger();
    // A node that answers from a stale view says "no such topic", which alone means "not written";
    // after the first attempt timed out, the record may be in the log all the same.
    cluster.produceHook =
        timesOutOnceThen(attempts, ErrorCode.UNKNOWN_TOPIC, "topic 't' does not exist");

    Throwable e = failure(producer.send(record("t", 0, "v")));

    assertThat(((BrokerException) e).indeterminate()).isTrue();
    assertThat(e.getMessage()).contains("does not exist");
    assertThat(attempts.get()).isEqualTo(2);
  }

  /**
   * Answers the first attempt with a commit timeout (maybe written), every later one definitely.
   */
  private static FakeCluster.ProduceHook timesOutOnceThen(
      AtomicInteger attempts, ErrorCode later, String message) {
    return (node, p) ->
        attempts.incrementAndGet() == 1
            ? Error.newBuilder()
                .setCode(ErrorCode.REQUEST_TIMED_OUT)
                .setMessage("commit timed out")
                .setIndeterminate(true)
                .build()
            : Error.newBuilder().setCode(later).setMessage(message).build();
  }

  @Test
  void requestTimedOutAloneIsIndeterminate() {
    cluster.createTopic("t", 1);
    cluster.produceHook =
        (node, p) ->
            Error.newBuilder()
                .setCode(ErrorCode.REQUEST_TIMED_OUT)
                .setMessage("commit timed out")
                .setIndeterminate(true)
                .build();
    producer(config().linger(Duration.ZERO).deliveryTimeout(Duration.ofMillis(200)));

    Throwable e = failure(producer.send(record("t", 0, "v")));

    assertThat(e).isInstanceOf(RequestTimeoutException.class);
    assertThat(((BrokerException) e).indeterminate()).isTrue();
  }

  @Test
  void perPartitionOrderIsKeptAcrossARetry() throws Exception {
    cluster.createTopic("t", 1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    AtomicReference<String> firstValue = new AtomicReference<>();
    // Fail the first record's batch until the test has queued more records behind it.
    cluster.produceHook =
        (node, p) -> {
          String first = p.getRecords(0).getValue().toStringUtf8();
          firstValue.compareAndSet(null, first);
          if (first.equals("r0") && !release.isDone()) {
            return Error.newBuilder().setCode(ErrorCode.LEADER_NOT_AVAILABLE).build();
          }
          return null;
        };
    producer(config().linger(Duration.ZERO));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    futures.add(producer.send(record("t", 0, "r0")));
    awaitTrue(() -> firstValue.get() != null);
    for (int i = 1; i < 5; i++) {
      futures.add(producer.send(record("t", 0, "r" + i)));
    }
    release.complete(null);
    producer.flush();

    assertThat(cluster.values(new TopicPartition("t", 0)))
        .containsExactly("r0", "r1", "r2", "r3", "r4");
    for (int i = 0; i < 5; i++) {
      assertThat(futures.get(i).get().offset()).isEqualTo(i);
    }
  }

  @Test
  void keyedRecordsMapLikeKafka() {
    cluster.createTopic("t", 1, 1, 1, 1, 1, 1, 1);
    producer(config().linger(Duration.ZERO));
    // Kafka's murmur2 of these keys (UtilsTest.testMurmur2), partitioned as
    // Utils.toPositive(hash) % 7.
    assertThat(send("21")).isEqualTo((-973932308 & 0x7fffffff) % 7);
    assertThat(send("foobar")).isEqualTo((-790332482 & 0x7fffffff) % 7);
    assertThat(send("abc")).isEqualTo((479470107 & 0x7fffffff) % 7);
    assertThat(send("a-little-bit-long-string")).isEqualTo((-985981536 & 0x7fffffff) % 7);
  }

  private int send(String key) {
    return producer
        .send(ProducerRecord.of("t", key.getBytes(UTF_8), "v".getBytes(UTF_8)))
        .join()
        .partition();
  }

  @Test
  void unkeyedRecordsStickToAPartitionPerBatch() {
    cluster.createTopic("t", 1, 1, 1);
    producer(config().linger(Duration.ofMinutes(1)));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(producer.send(ProducerRecord.of("t", ("v" + i).getBytes(UTF_8))));
    }
    producer.flush();
    assertThat(futures)
        .extracting(f -> f.join().partition())
        .containsOnly(futures.get(0).join().partition());
  }

  @Test
  void unknownTopicFailsOnceItStaysUnknownForAShortGrace() {
    producer(config());
    assertThat(failure(producer.send(record("missing", 0, "v"))))
        .isInstanceOf(UnknownTopicException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void partitionBeyondTheTopicFails() {
    cluster.createTopic("t", 1);
    producer(config());
    assertThat(failure(producer.send(record("t", 5, "v"))))
        .isInstanceOf(UnknownPartitionException.class);
  }

  @Test
  void nonRetriableErrorFailsAtOnceWithTheBrokerMessage() {
    cluster.createTopic("t", 1);
    cluster.produceHook =
        (node, p) ->
            Error.newBuilder()
                .setCode(ErrorCode.RECORD_TOO_LARGE)
                .setMessage("batch of 2000 bytes exceeds max.message.bytes 1000")
                .build();
    producer(config());
    assertThat(failure(producer.send(record("t", 0, "v"))))
        .isInstanceOf(dev.quorum.client.RecordTooLargeException.class)
        .hasMessageContaining("max.message.bytes 1000");
    assertThat(cluster.produceRequests.get(1)).hasSize(1);
  }

  @Test
  void sendAfterCloseThrows() {
    cluster.createTopic("t", 1);
    producer(config().linger(Duration.ofMinutes(1)));
    CompletableFuture<RecordMetadata> pending = producer.send(record("t", 0, "v"));
    producer.close();
    assertThat(pending).isCompleted();
    assertThat(pending.join().offset()).isZero();
    assertThatThrownBy(() -> producer.send(record("t", 0, "v")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void futuresCompleteOnTheCallbackThread() {
    cluster.createTopic("t", 1);
    producer(config());
    String thread =
        producer.send(record("t", 0, "v")).thenApply(m -> Thread.currentThread().getName()).join();
    assertThat(thread).isEqualTo(QuorumProducer.CALLBACK_THREAD);
  }

  @Test
  void flushReturnsOnceEveryRecordSentBeforeItIsComplete() {
    cluster.createTopic("t", 2);
    producer(config().linger(Duration.ofMinutes(1)));
    List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(producer.send(record("t", i % 2, "v" + i)));
    }
    producer.flush();
    assertThat(sent).allMatch(CompletableFuture::isDone);
  }

  @Test
  void callbacksOfOnePartitionRunInSendOrder() {
    cluster.createTopic("t", 1);
    producer(config().batchSize(256));
    List<Long> offsets = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> callbacks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      callbacks.add(
          producer.send(record("t", 0, "v" + i)).thenAccept(m -> offsets.add(m.offset())));
    }
    CompletableFuture.allOf(callbacks.toArray(new CompletableFuture<?>[0])).join();
    assertThat(offsets).hasSize(200).isSorted();
  }

  @Test
  void fullBufferFailsAfterMaxBlock() {
    cluster.createTopic("t", 1);
    // Room for one small record: the second waits for space the first never frees (it lingers).
    producer(
        config()
            .linger(Duration.ofMinutes(1))
            .bufferMemory(ProducerConfig.RECORD_OVERHEAD + 100)
            .maxBlock(Duration.ofMillis(50)));
    producer.send(record("t", 0, "a"));
    assertThat(failure(producer.send(record("t", 0, "b"))))
        .isInstanceOf(dev.quorum.client.BufferExhaustedException.class)
        .hasMessageContaining("bufferMemory");
  }

  @Test
  void acknowledgedRecordsFreeTheirBufferSpace() {
    cluster.createTopic("t", 1);
    String value = "v".repeat(1024);
    int cost = ProducerConfig.RECORD_OVERHEAD + value.length() + 16;
    // Four records' worth of buffer carries fifty: each acknowledgement gives back its bytes.
    producer(config().bufferMemory(4 * cost).maxBlock(Duration.ofSeconds(10)));
    List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(producer.send(record("t", 0, value)));
    }
    assertThat(sent.get(49).join().offset()).isEqualTo(49);
  }

  @Test
  void recordLargerThanTheBufferFailsAtOnce() {
    cluster.createTopic("t", 1);
    producer(config().bufferMemory(2048).maxBlock(Duration.ofMinutes(1)));
    assertThat(failure(producer.send(record("t", 0, "x".repeat(4096)))))
        .isInstanceOf(dev.quorum.client.RecordTooLargeException.class)
        .hasMessageContaining("bufferMemory");
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10s");
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
