package dev.quorum.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.PartitionProduce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several batches of one partition in flight: how many, and that order and exactly-once hold. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipelinedProducerTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);

  private final FakeCluster cluster = new FakeCluster(2);
  private final CountDownLatch release = new CountDownLatch(1);
  private QuorumProducer producer;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
    cluster.close();
  }

  private void producer(int maxInFlight) {
    producer =
        new QuorumProducer(
            ProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .linger(Duration.ZERO)
                .batchSize(1) // one record per batch
                .maxInFlight(maxInFlight)
                .retryBackoff(Duration.ofMillis(10))
                .requestTimeout(Duration.ofSeconds(5))
                .build(),
            cluster.connections());
  }

  private List<CompletableFuture<RecordMetadata>> send(int from, int to) {
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = from; i < to; i++) {
      futures.add(
          producer.send(
              ProducerRecord.builder("t").partition(0).value(("v" + i).getBytes(UTF_8)).build()));
    }
    return futures;
  }

  private static List<String> values(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "v" + i).collect(Collectors.toList());
  }

  private static boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.onSpinWait();
    }
    return condition.getAsBoolean();
  }

  private Set<Integer> sequencesReceived() {
    Set<Integer> out = ConcurrentHashMap.newKeySet();
    cluster.produced(P0).forEach(p -> out.add(p.getBaseSequence()));
    return out;
  }

  private void holdSequencesFrom(int first) {
    cluster.produceHook =
        (node, p) -> {
          if (p.getBaseSequence() >= first) {
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return null;
        };
  }

  @Test
  void upToMaxInFlightBatchesOfAPartitionAreUnacknowledgedAtOnce() {
    cluster.createTopic("t", 1);
    producer(3);
    send(0, 1).get(0).join(); // the partition's first batch under an id goes alone
    holdSequencesFrom(1);

    List<CompletableFuture<RecordMetadata>> futures = send(1, 10);

    assertThat(await(() -> sequencesReceived().containsAll(List.of(1, 2, 3))))
        .as("three batches sent before any of them was answered")
        .isTrue();
    assertThat(sequencesReceived()).doesNotContain(4, 5, 6, 7, 8, 9);
    release.countDown();
    futures.forEach(CompletableFuture::join);
    assertThat(cluster.values(P0)).containsExactlyElementsOf(values(0, 10));
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).join().offset()).isEqualTo(i + 1);
    }
  }

  @Test
  void recordsQueuedBehindAFullPipelineDoNotWakeTheSender() {
    cluster.createTopic("t", 1);
    producer =
        new QuorumProducer(
            ProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .linger(Duration.ofMillis(50))
                .maxInFlight(1)
                .requestTimeout(Duration.ofSeconds(5))
                .build(),
            cluster.connections());
    send(0, 1).get(0).join();
    holdSequencesFrom(1);
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(send(1, 2));
    assertThat(await(() -> sequencesReceived().contains(1))).isTrue();
    long before = producer.appendWakeUps();

    // Nothing of the partition can go until its batch in flight is answered, and that answer
    // wakes the sender: records queued meanwhile have no reason to, but for the first, which finds
    // the sender parked with nothing queued.
    futures.addAll(send(2, 202));

    assertThat(producer.appendWakeUps() - before).isLessThanOrEqualTo(2);
    release.countDown();
    futures.forEach(CompletableFuture::join);
    assertThat(cluster.values(P0)).containsExactlyElementsOf(values(0, 202));
  }

  @Test
  void maxInFlightOneWaitsForEachAcknowledgement() {
    cluster.createTopic("t", 1);
    producer(1);
    send(0, 1).get(0).join();
    holdSequencesFrom(1);

    List<CompletableFuture<RecordMetadata>> futures = send(1, 4);

    assertThat(await(() -> sequencesReceived().contains(1))).isTrue();
    assertThat(sequencesReceived()).containsExactlyInAnyOrder(0, 1);
    release.countDown();
    futures.forEach(CompletableFuture::join);
    assertThat(cluster.values(P0)).containsExactlyElementsOf(values(0, 4));
  }

  @Test
  void aRetriedBatchIsNeverOvertakenByLaterOnesInFlight() {
    cluster.createTopic("t", 1);
    producer(5);
    send(0, 1).get(0).join();
    // Sequence 1's first attempt waits until 2..4 were sent too, then fails retriably (definitely
    // not appended); 2..4 then meet a gap and are answered OUT_OF_ORDER_SEQUENCE.
    Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
    cluster.produceHook =
        (node, p) -> {
          if (p.getBaseSequence() == 1 && failedOnce.add(1)) {
            await(() -> sequencesReceived().containsAll(List.of(2, 3, 4)));
            return Error.newBuilder()
                .setCode(ErrorCode.LEADER_NOT_AVAILABLE)
                .setMessage("injected")
                .build();
          }
          return null;
        };
    List<RecordMetadata> completionOrder = new CopyOnWriteArrayList<>();
    List<CompletableFuture<RecordMetadata>> futures = send(1, 8);
    // Wait on the callbacks' own futures: a thread joining a record's future helps run that
    // future's callbacks and could record them late, out of the order they were completed in.
    List<CompletableFuture<Void>> recorded =
        futures.stream().map(f -> f.thenAccept(completionOrder::add)).toList();

    recorded.forEach(CompletableFuture::join);

    assertThat(cluster.values(P0)).containsExactlyElementsOf(values(0, 8));
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).join().offset()).isEqualTo(i + 1);
    }
    assertThat(completionOrder).extracting(RecordMetadata::offset).isSorted();
    assertThat(cluster.produced(P0))
        .filteredOn(p -> p.getBaseSequence() == 1)
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(cluster.produceResults)
        .anyMatch(r -> r.getError().getCode() == ErrorCode.OUT_OF_ORDER_SEQUENCE);
  }

  @Test
  void lostRepliesOfPipelinedBatchesAreRetriedWithoutDuplicates() {
    cluster.createTopic("t", 1);
    producer(5);
    send(0, 1).get(0).join();
    cluster.lostProduceReplies.set(3);

    List<CompletableFuture<RecordMetadata>> futures = send(1, 20);
    futures.forEach(CompletableFuture::join);

    assertThat(cluster.values(P0)).containsExactlyElementsOf(values(0, 20));
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).join().offset()).isEqualTo(i + 1);
    }
    assertThat(cluster.produceResults).anyMatch(r -> r.getDuplicate());
  }

  @Test
  void aPartitionsFirstBatchUnderAProducerIdGoesAlone() {
    cluster.createTopic("t", 1);
    producer(5);
    holdSequencesFrom(0);

    List<CompletableFuture<RecordMetadata>> futures = send(0, 5);

    assertThat(await(() -> sequencesReceived().contains(0))).isTrue();
    assertThat(cluster.produced(P0)).extracting(PartitionProduce::getBaseSequence).containsOnly(0);
    release.countDown();
    futures.forEach(CompletableFuture::join);
    assertThat(cluster.values(P0)).containsExactlyElementsOf(values(0, 5));
  }
}
