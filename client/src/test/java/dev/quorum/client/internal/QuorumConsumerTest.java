package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.OffsetOutOfRangeException;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QuorumConsumerTest {
  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);
  private final FakeCluster cluster = new FakeCluster(2);
  private QuorumConsumer consumer;

  @AfterEach
  void tearDown() {
    if (consumer != null) {
      consumer.close();
    }
    cluster.close();
  }

  private QuorumConsumer consumer(OffsetResetPolicy reset) {
    consumer =
        new QuorumConsumer(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .fetchMaxWait(Duration.ofMillis(10))
                .autoOffsetReset(reset)
                .build(),
            cluster.connections());
    return consumer;
  }

  private static List<String> values(List<ConsumerRecord> records) {
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void skipsRecordsBelowThePositionInTheFirstBatch() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a", "b", "c", "d", "e");
    consumer(OffsetResetPolicy.LATEST).assign(List.of(T0));
    consumer.seek(T0, 3);

    List<ConsumerRecord> records = consumer.poll(Duration.ofSeconds(5));

    assertThat(records).extracting(ConsumerRecord::offset).containsExactly(3L, 4L);
    assertThat(values(records)).containsExactly("d", "e");
    assertThat(records.get(0).timestamp()).isEqualTo(1000);
    assertThat(consumer.position(T0)).isEqualTo(5);
  }

  @Test
  void theNextFetchIsSentWhileRecordsAreHandedOutAndAStaleOneIsDroppedAfterASeek()
      throws InterruptedException {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a", "b", "c");
    consumer(OffsetResetPolicy.EARLIEST).assign(List.of(T0));
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    cluster.beforeFetch =
        () -> {
          if (cluster.fetchRequests.get(1).size() == 2) {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };

    assertThat(values(consumer.poll(Duration.ofSeconds(5)))).containsExactly("a", "b", "c");
    // The fetch for offset 3 went out as poll returned, and is held at the node.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (cluster.fetchRequests.get(1).size() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(cluster.fetchRequests.get(1)).hasSize(2);
    assertThat(cluster.fetchRequests.get(1).get(1).getPartitions(0).getOffset()).isEqualTo(3);
    cluster.append(T0, "d", "e");
    consumer.seek(T0, 1);
    release.countDown(); // the held fetch now answers d, e for offset 3: stale after the seek

    List<String> read = new java.util.ArrayList<>();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (read.size() < 4 && System.nanoTime() < deadline) {
      read.addAll(values(consumer.poll(Duration.ofMillis(200))));
    }
    assertThat(read).containsExactly("b", "c", "d", "e");
  }

  @Test
  void followsNotLeaderToTheNewLeader() {
    cluster.createTopic("t", 2, 1);
    cluster.advertisedLeaders.put(T0, 1);
    cluster.append(T0, "x", "y");
    cluster.append(T1, "z");
    consumer(OffsetResetPolicy.EARLIEST).assign(List.of(T0, T1));

    List<ConsumerRecord> all = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (all.size() < 3 && System.nanoTime() < deadline) {
      all.addAll(consumer.poll(Duration.ofMillis(200)));
    }

    assertThat(values(all)).containsExactlyInAnyOrder("x", "y", "z");
    assertThat(cluster.fetchRequests.get(2)).isNotEmpty();
  }

  @Test
  void newPartitionsStartAtTheResetPolicy() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "old");
    consumer(OffsetResetPolicy.LATEST).assign(List.of(T0));
    assertThat(consumer.position(T0)).isEqualTo(1);
    consumer.seekToBeginning(List.of(T0));
    assertThat(values(consumer.poll(Duration.ofSeconds(5)))).containsExactly("old");
  }

  /** A consumer whose pauses outlast any poll of a test: a poll that pauses returns nothing. */
  private QuorumConsumer consumerThatNeverPauses() {
    consumer =
        new QuorumConsumer(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .fetchMaxWait(Duration.ofMillis(10))
                .retryBackoff(Duration.ofMinutes(1))
                .autoOffsetReset(OffsetResetPolicy.EARLIEST)
                .build(),
            cluster.connections());
    return consumer;
  }

  @Test
  void aNewConsumerLooksUpItsPositionAtTheLeadersItJustLearnedOfWithoutPausing() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a");
    consumerThatNeverPauses().assign(List.of(T0));

    assertThat(values(consumer.poll(Duration.ofSeconds(5)))).containsExactly("a");
  }

  @Test
  void aNewConsumerFetchesFromTheLeadersItJustLearnedOfWithoutPausing() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a", "b");
    consumerThatNeverPauses().assign(List.of(T0));
    consumer.seek(T0, 1);

    assertThat(values(consumer.poll(Duration.ofSeconds(5)))).containsExactly("b");
  }

  @Test
  void maxPollRecordsBoundsOnePoll() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a", "b", "c");
    consumer =
        new QuorumConsumer(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .maxPollRecords(2)
                .autoOffsetReset(OffsetResetPolicy.EARLIEST)
                .build(),
            cluster.connections());
    consumer.assign(List.of(T0));
    assertThat(values(consumer.poll(Duration.ofSeconds(5)))).containsExactly("a", "b");
    assertThat(values(consumer.poll(Duration.ofSeconds(5)))).containsExactly("c");
  }

  @Test
  void offsetOutOfRangeWithoutResetPolicyThrows() {
    cluster.createTopic("t", 1);
    consumer(OffsetResetPolicy.NONE).assign(List.of(T0));
    consumer.seek(T0, 42);
    assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5)))
        .isInstanceOf(OffsetOutOfRangeException.class);
  }

  @Test
  void offsetOutOfRangeResetsByPolicy() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a");
    consumer(OffsetResetPolicy.EARLIEST).assign(List.of(T0));
    consumer.seek(T0, 42);
    List<ConsumerRecord> records = List.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (records.isEmpty() && System.nanoTime() < deadline) {
      records = consumer.poll(Duration.ofMillis(200));
    }
    assertThat(values(records)).containsExactly("a");
  }

  @Test
  void offsetLookupsAskTheLeaders() {
    cluster.createTopic("t", 1, 2);
    cluster.append(T1, "a", "b");
    consumer(OffsetResetPolicy.LATEST);
    assertThat(consumer.endOffsets(List.of(T0, T1))).isEqualTo(Map.of(T0, 0L, T1, 2L));
    assertThat(consumer.beginningOffsets(List.of(T1))).isEqualTo(Map.of(T1, 0L));
    assertThat(consumer.partitionCount("t")).isEqualTo(2);
    assertThatThrownBy(() -> consumer.partitionCount("nope"))
        .isInstanceOf(dev.quorum.client.UnknownTopicException.class);
  }
}
