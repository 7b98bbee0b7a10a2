package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic with many partitions (180 Raft groups on three nodes in this JVM): it is created, every
 * partition takes writes, and after all three nodes restart every partition still holds its records
 * and takes writes again. Behaviour only: how long that takes is measured by {@code scripts/bench}.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ManyPartitionsIT {
  private static final int PARTITIONS = 60;
  private static final String TOPIC = "wide";

  @TempDir Path dir;

  @Test
  void aTopicOfManyPartitionsIsCreatedWritableEverywhereAndSurvivesARestartOfEveryNode()
      throws Exception {
    // Heartbeats go out every min/2 for each (partition, follower): longer timeouts than the other
    // tests keep 180 groups in one JVM from starving each other on a 2-core machine.
    try (TestCluster cluster =
        new TestCluster(
            dir,
            3,
            Map.of(NodeConfig.ELECTION_TIMEOUT_MIN, "1s", NodeConfig.ELECTION_TIMEOUT_MAX, "2s"))) {
      try (Admin admin = admin(cluster)) {
        cluster.awaitAllNodesUp(admin);
        admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 3));
      }
      produceOneRecordToEveryPartition(cluster, "before");

      for (int id = 3; id >= 1; id--) {
        cluster.stop(id);
      }
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }

      produceOneRecordToEveryPartition(cluster, "after");
      Map<Integer, List<String>> read = readEveryPartition(cluster, 2 * PARTITIONS);
      assertThat(read).hasSize(PARTITIONS);
      for (int p = 0; p < PARTITIONS; p++) {
        assertThat(read.get(p)).as("partition %d", p).containsExactly("before-" + p, "after-" + p);
      }
    }
  }

  private static Admin admin(TestCluster cluster) {
    return Admin.create(
        AdminConfig.builder()
            .bootstrap(cluster.bootstrap())
            .requestTimeout(Duration.ofMinutes(5))
            .build());
  }

  /** Sends one record to each partition and waits until every one is acknowledged. */
  private static void produceOneRecordToEveryPartition(TestCluster cluster, String prefix)
      throws Exception {
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    try (Producer producer =
        Producer.create(
            ProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .deliveryTimeout(Duration.ofMinutes(5))
                .build())) {
      for (int p = 0; p < PARTITIONS; p++) {
        acks.add(producer.send(ProducerRecord.of(TOPIC, bytes(prefix + "-" + p)).withPartition(p)));
      }
      producer.flush();
    }
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(acks.get(p).get(5, TimeUnit.MINUTES).partition()).isEqualTo(p);
    }
  }

  /** Every partition's records from the beginning, as text, in offset order. */
  private static Map<Integer, List<String>> readEveryPartition(TestCluster cluster, int expected) {
    Map<Integer, List<String>> read = new TreeMap<>();
    try (Consumer consumer =
        Consumer.create(ConsumerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        all.add(new TopicPartition(TOPIC, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      int count = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (count < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord record : consumer.poll(Duration.ofMillis(500))) {
          read.computeIfAbsent(record.partition(), p -> new ArrayList<>())
              .add(new String(record.value(), StandardCharsets.UTF_8));
          count++;
        }
      }
    }
    return read;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
