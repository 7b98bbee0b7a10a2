package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerGroupMetadata;
import dev.quorum.client.IsolationLevel;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The groups' internal topic is created on first use. A transaction may be that first use: a
 * producer that stores a group's offsets in a transaction before any consumer of any group asked
 * for its coordinator (a processor that assigns its partitions and reads its start offsets from
 * elsewhere). Its offsets must join the transaction all the same, as in Kafka.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstTransactionalOffsetsIT {
  @TempDir Path dir;

  @Test
  void offsetsJoinATransactionBeforeAnyGroupWasUsed() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      admin.createTopic(new NewTopic("in", 1, 3));
      admin.createTopic(new NewTopic("out", 1, 3));
      TopicPartition in = new TopicPartition("in", 0);
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .transactionalId("first")
              .requestTimeout(Duration.ofSeconds(20))
              .build();
      try (Producer producer = Producer.create(config)) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(
            ProducerRecord.builder("out").value("x".getBytes(StandardCharsets.UTF_8)).build());
        producer.sendOffsetsToTransaction(
            Map.of(in, 42L), new ConsumerGroupMetadata("processors", "", 0));
        producer.commitTransaction();
      }

      ConsumerConfig consumerConfig =
          ConsumerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .groupId("processors")
              .isolationLevel(IsolationLevel.READ_COMMITTED)
              .build();
      try (Consumer consumer = Consumer.create(consumerConfig)) {
        assertThat(consumer.committed(Set.of(in))).isEqualTo(Map.of(in, 42L));
      }
    }
  }
}
