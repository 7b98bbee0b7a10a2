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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The high-volume paths on one node that leads every partition: many producers writing one
 * partition at once (their batches coalesce into shared Raft entries), and fetches far larger than
 * gRPC's default message size.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProducePathIT {
  @TempDir static Path dir;
  private TestCluster cluster;
  private Admin admin;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = TestCluster.start(dir, 1);
    admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build());
    cluster.awaitAllNodesUp(admin);
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
  void concurrentProducersOfOnePartitionEachGetEveryRecordStoredOnceInOrder() throws Exception {
    admin.createTopic(new NewTopic("shared", 1, 1));
    int producers = 8;
    int perProducer = 300;
    List<Producer> clients = new ArrayList<>();
    List<List<CompletableFuture<RecordMetadata>>> acks = new ArrayList<>();
    try {
      for (int p = 0; p < producers; p++) {
        clients.add(
            Producer.create(
                ProducerConfig.builder()
                    .bootstrap(cluster.bootstrap())
                    .linger(Duration.ZERO)
                    .deliveryTimeout(Duration.ofSeconds(60))
                    .build()));
        acks.add(new ArrayList<>());
      }
      // Interleave the producers so their batches reach the partition at the same time.
      for (int i = 0; i < perProducer; i++) {
        for (int p = 0; p < producers; p++) {
          acks.get(p).add(clients.get(p).send(ProducerRecord.of("shared", value(p, i))));
        }
      }
      for (int p = 0; p < producers; p++) {
        long previous = -1;
        for (CompletableFuture<RecordMetadata> ack : acks.get(p)) {
          long offset = ack.get(60, TimeUnit.SECONDS).offset();
          // Each producer's records keep their send order in the partition.
          assertThat(offset).isGreaterThan(previous);
          previous = offset;
        }
      }
    } finally {
      clients.forEach(Producer::close);
    }

    List<ConsumerRecord> read = readAll("shared", 1, producers * perProducer);
    assertThat(read).hasSize(producers * perProducer);
    int[] next = new int[producers];
    for (int i = 0; i < read.size(); i++) {
      ConsumerRecord r = read.get(i);
      assertThat(r.offset()).isEqualTo(i);
      ByteBuffer v = ByteBuffer.wrap(r.value());
      int producer = v.getInt();
      int sequence = v.getInt();
      assertThat(sequence).isEqualTo(next[producer]);
      next[producer]++;
    }
    assertThat(next).containsOnly(perProducer);
  }

  @Test
  void aFetchOfManyFullPartitionsFromOneLeaderIsReadEvenBeyondFourMiB() throws Exception {
    int partitions = 6;
    int perPartition = 1_200; // 1 KiB each: > 1 MiB per partition, > 6 MiB per fetch
    admin.createTopic(new NewTopic("wide", partitions, 1));
    try (Producer producer =
        Producer.create(
            ProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .deliveryTimeout(Duration.ofSeconds(60))
                .build())) {
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        for (int i = 0; i < perPartition; i++) {
          byte[] value = new byte[1024];
          ByteBuffer.wrap(value).putInt(p).putInt(i);
          acks.add(producer.send(ProducerRecord.builder("wide").partition(p).value(value).build()));
        }
      }
      for (CompletableFuture<RecordMetadata> ack : acks) {
        ack.get(60, TimeUnit.SECONDS);
      }
    }

    assertThat(readAll("wide", partitions, partitions * perPartition))
        .hasSize(partitions * perPartition);
  }

  private List<ConsumerRecord> readAll(String topic, int partitions, int expected) {
    List<ConsumerRecord> records = new ArrayList<>();
    try (Consumer consumer =
        Consumer.create(ConsumerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (records.size() < expected && System.nanoTime() < deadline) {
        records.addAll(consumer.poll(Duration.ofMillis(500)));
      }
    }
    return records;
  }

  private static byte[] value(int producer, int sequence) {
    return ByteBuffer.allocate(8).putInt(producer).putInt(sequence).array();
  }
}
