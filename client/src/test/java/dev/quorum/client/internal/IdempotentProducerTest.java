package dev.quorum.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.BrokerException;
import dev.quorum.client.InternalBrokerException;
import dev.quorum.client.OutOfOrderSequenceException;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerFencedException;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.RecordTooLargeException;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.PartitionProduceResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class IdempotentProducerTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private final FakeCluster cluster = new FakeCluster(2);
  private QuorumProducer producer;

  @AfterEach
  void tearDown() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
    cluster.close();
  }

  private void producer(ProducerConfig.Builder config) {
    producer =
        new QuorumProducer(config.bootstrap(cluster.bootstrap()).build(), cluster.connections());
  }

  private static ProducerConfig.Builder config() {
    return ProducerConfig.builder()
        .bootstrap("unused:1")
        .linger(Duration.ZERO)
        .retryBackoff(Duration.ofMillis(10))
        .requestTimeout(Duration.ofSeconds(2));
  }

  private CompletableFuture<RecordMetadata> send(TopicPartition tp, String value) {
    return producer.send(
        ProducerRecord.builder(tp.topic())
            .partition(tp.partition())
            .value(value.getBytes(UTF_8))
            .build());
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isNotNull();
    return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
  }

  private static Error error(ErrorCode code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }

  private static boolean isValue(PartitionProduce p, String value) {
    return p.getRecords(0).getValue().toStringUtf8().equals(value);
  }

  @Test
  void sequencesStartAtZeroPerPartitionAndAdvanceByRecordCount() {
    cluster.createTopic("t", 1, 2);
    producer(config().linger(Duration.ofMinutes(1)));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(send(P0, "a" + i));
    }
    futures.add(send(P1, "b0"));
    futures.add(send(P1, "b1"));
    producer.flush();
    futures.add(send(P0, "a3"));
    futures.add(send(P0, "a4"));
    producer.flush();

    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(cluster.produced(P0))
        .extracting(PartitionProduce::getBaseSequence, PartitionProduce::getRecordsCount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 3), org.assertj.core.groups.Tuple.tuple(3, 2));
    assertThat(cluster.produced(P1))
        .extracting(PartitionProduce::getBaseSequence, PartitionProduce::getRecordsCount)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 2));
    assertThat(cluster.produced).extracting(PartitionProduce::getProducerId).containsOnly(1001L);
    assertThat(cluster.produced).extracting(PartitionProduce::getProducerEpoch).containsOnly(0);
    assertThat(cluster.initProducerIdCalls).hasSize(1);
    assertThat(futures.get(6).join().offset()).isEqualTo(4);
  }

  @Test
  void batchRetriedAfterNotLeaderKeepsItsSequence() {
    cluster.createTopic("t", 1);
    producer(config());
    send(P0, "a").join();
    // Node 1 now answers NOT_LEADER with a hint to node 2.
    cluster.leaders.put(P0, 2);

    RecordMetadata m = send(P0, "b").join();

    List<PartitionProduce> sent = cluster.produced(P0);
    assertThat(sent).extracting(PartitionProduce::getBaseSequence).containsExactly(0, 1, 1);
    assertThat(sent.get(2).getRecordsList()).isEqualTo(sent.get(1).getRecordsList());
    assertThat(sent).extracting(PartitionProduce::getProducerId).containsOnly(1001L);
    assertThat(cluster.produceRequests.get(2)).hasSize(1);
    assertThat(m.offset()).isEqualTo(1);
    assertThat(cluster.values(P0)).containsExactly("a", "b");
  }

  @Test
  void lostReplyIsRetriedWithTheSameSequenceAndAppendedOnce() {
    cluster.createTopic("t", 1);
    producer(config());
    cluster.lostProduceReplies.set(1);

    RecordMetadata first = send(P0, "a").join();
    RecordMetadata second = send(P0, "b").join();

    assertThat(cluster.produced(P0))
        .extracting(PartitionProduce::getBaseSequence)
        .containsExactly(0, 0, 1);
    assertThat(cluster.produceResults)
        .extracting(PartitionProduceResult::getDuplicate)
        .containsExactly(false, true, false);
    assertThat(first.offset()).isZero();
    assertThat(second.offset()).isEqualTo(1);
    assertThat(cluster.values(P0)).containsExactly("a", "b");
  }

  @Test
  void withoutIdempotenceNoProducerIdIsSentAndALostReplyDuplicates() {
    cluster.createTopic("t", 1);
    producer(config().enableIdempotence(false));
    cluster.lostProduceReplies.set(1);

    assertThat(send(P0, "a").join().offset()).isEqualTo(1);

    assertThat(cluster.initProducerIdCalls).isEmpty();
    assertThat(cluster.produced(P0))
        .hasSize(2)
        .allSatisfy(
            p -> {
              assertThat(p.getProducerId()).isZero();
              assertThat(p.getBaseSequence()).isZero();
            });
    assertThat(cluster.values(P0)).containsExactly("a", "a");
  }

  @Test
  void producerFencedFailsPendingAndLaterSends() throws Exception {
    cluster.createTopic("t", 1, 2);
    // P1 stays retriable forever, so its batch is pending when P0 learns of the fence.
    cluster.produceHook =
        (node, p) ->
            p.getPartition() == 0
                ? error(ErrorCode.PRODUCER_FENCED, "producer 1001 has epoch 1")
                : error(ErrorCode.LEADER_NOT_AVAILABLE, "electing");
    producer(config());
    CompletableFuture<RecordMetadata> pending = send(P1, "pending");
    QuorumProducerTest.awaitTrue(() -> !cluster.produced(P1).isEmpty());

    Throwable fencedBatch = failure(send(P0, "fenced"));
    Throwable pendingFailure = failure(pending);
    Throwable later = failure(send(P1, "later"));

    assertThat(fencedBatch)
        .isInstanceOf(ProducerFencedException.class)
        .hasMessageContaining("has epoch 1");
    assertThat(pendingFailure).isInstanceOf(ProducerFencedException.class);
    assertThat(later).isInstanceOf(ProducerFencedException.class);
    assertThat(((BrokerException) later).indeterminate()).isFalse();
    assertThat(cluster.produced).noneMatch(p -> isValue(p, "later"));
  }

  @Test
  void outOfOrderSequenceFailsTheBatchAndTheRecordsQueuedBehindIt() throws Exception {
    cluster.createTopic("t", 1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    AtomicBoolean seen = new AtomicBoolean();
    // Keep r0's batch retrying until r1 and r2 queued behind it, then reject it.
    cluster.produceHook =
        (node, p) -> {
          if (!isValue(p, "r0")) {
            return null;
          }
          seen.set(true);
          return release.isDone()
              ? error(ErrorCode.OUT_OF_ORDER_SEQUENCE, "expected sequence 7")
              : error(ErrorCode.LEADER_NOT_AVAILABLE, "electing");
        };
    producer(config());
    CompletableFuture<RecordMetadata> r0 = send(P0, "r0");
    QuorumProducerTest.awaitTrue(seen::get);
    CompletableFuture<RecordMetadata> r1 = send(P0, "r1");
    CompletableFuture<RecordMetadata> r2 = send(P0, "r2");
    release.complete(null);

    assertThat(failure(r0))
        .isInstanceOf(OutOfOrderSequenceException.class)
        .hasMessageContaining("expected sequence 7");
    assertThat(failure(r1)).isInstanceOf(OutOfOrderSequenceException.class);
    assertThat(failure(r2)).isInstanceOf(OutOfOrderSequenceException.class);
    assertThat(cluster.produced).noneMatch(p -> isValue(p, "r1") || isValue(p, "r2"));

    // Later records go out under a fresh producer id, numbered from 0 again.
    assertThat(send(P0, "r3").join().offset()).isZero();
    List<PartitionProduce> sent = cluster.produced(P0);
    PartitionProduce last = sent.get(sent.size() - 1);
    assertThat(last.getProducerId()).isEqualTo(1002L);
    assertThat(last.getBaseSequence()).isZero();
    assertThat(sent.get(0).getProducerId()).isEqualTo(1001L);
    assertThat(cluster.initProducerIdCalls).hasSize(2);
  }

  @Test
  void initProducerIdFailuresAreRetriedOnAnotherNode() {
    cluster.createTopic("t", 1);
    cluster.initProducerIdTransportFailures.set(1);
    cluster.initProducerIdErrors.add(ErrorCode.UNAVAILABLE);
    producer(config());

    assertThat(send(P0, "a").join().offset()).isZero();

    assertThat(cluster.initProducerIdCalls).containsExactly(1, 2, 1);
    assertThat(cluster.produced(P0))
        .extracting(PartitionProduce::getProducerId)
        .containsExactly(1001L);
  }

  @Test
  void nonRetriableInitProducerIdErrorFailsTheWaitingRecords() {
    cluster.createTopic("t", 1);
    cluster.initProducerIdErrors.add(ErrorCode.INVALID_REQUEST);
    producer(config());

    assertThat(failure(send(P0, "a")))
        .isInstanceOf(InternalBrokerException.class)
        .hasMessageContaining("producer id")
        .hasMessageContaining("INVALID_REQUEST");
    // The next record asks again.
    assertThat(send(P0, "b").join().offset()).isZero();
    assertThat(cluster.initProducerIdCalls).hasSize(2);
  }

  @Test
  void batchThatCertainlyFailedGivesItsSequenceToTheNextBatch() {
    cluster.createTopic("t", 1);
    cluster.produceHook =
        (node, p) -> isValue(p, "big") ? error(ErrorCode.RECORD_TOO_LARGE, "too large") : null;
    producer(config());
    send(P0, "a").join();
    assertThat(failure(send(P0, "big"))).isInstanceOf(RecordTooLargeException.class);

    assertThat(send(P0, "b").join().offset()).isEqualTo(1);

    assertThat(cluster.produced(P0))
        .extracting(PartitionProduce::getBaseSequence)
        .containsExactly(0, 1, 1);
    assertThat(cluster.produced).extracting(PartitionProduce::getProducerId).containsOnly(1001L);
  }

  @Test
  void batchThatMayHaveBeenWrittenMovesToAFreshProducerId() {
    cluster.createTopic("t", 1);
    cluster.produceHook =
        (node, p) ->
            isValue(p, "slow")
                ? error(ErrorCode.REQUEST_TIMED_OUT, "commit timed out").toBuilder()
                    .setIndeterminate(true)
                    .build()
                : null;
    producer(config().deliveryTimeout(Duration.ofMillis(300)));
    // On a loaded machine the first InitProducerId alone can outlast the short delivery timeout.
    while (!send(P0, "a").handle((m, failure) -> failure == null).join()) {
      Thread.onSpinWait();
    }
    Throwable e = failure(send(P0, "slow"));
    assertThat(e).isInstanceOf(RequestTimeoutException.class);
    assertThat(((BrokerException) e).indeterminate()).isTrue();

    assertThat(send(P0, "b").join().offset()).isEqualTo(1);

    List<PartitionProduce> sent = cluster.produced(P0);
    PartitionProduce last = sent.get(sent.size() - 1);
    assertThat(last.getProducerId()).isEqualTo(1002L);
    assertThat(last.getBaseSequence()).isZero();
  }
}
