package dev.quorum.node;

import static dev.quorum.node.PartitionReplicas.division;
import static dev.quorum.node.PartitionReplicas.leaderOf;
import static dev.quorum.node.PartitionReplicas.log;
import static dev.quorum.node.PartitionReplicas.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.protocol.raft.TopicRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition leader keeps several Raft entries in flight for one producer, and when it dies with
 * entries in flight, the idempotent producer's records still end up in the partition exactly once
 * and in send order: entries committed but not acknowledged are deduplicated on resend, and entries
 * behind one that failed are refused out of order and resent.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PipelinedProduceIT {
  private static final String PADDING = "p".repeat(200);

  @TempDir Path dir;

  @Test
  void entriesArePipelinedAndAProducerKeepsOrderAndExactlyOnceAcrossALeaderKill() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      var topic = admin.createTopic(new NewTopic("piped", 1, 3));
      RaftGroupId groupId =
          RaftGroups.partitionGroupId(
              cluster.clusterId(),
              TopicRecord.newBuilder().setName("piped").setTopicId(topic.topicId()).build(),
              0);
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .linger(Duration.ZERO)
              .batchSize(4096) // many small batches, so several are in flight at once
              .deliveryTimeout(Duration.ofSeconds(90))
              .build();
      int perPhase = 3_000;
      List<String> expected = new ArrayList<>();
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      try (Producer producer = Producer.create(config)) {
        for (int i = 0; i < perPhase; i++) {
          expected.add(value(i));
          acks.add(producer.send(ProducerRecord.of("piped", bytes(value(i)))));
        }
        int leader = awaitLeader(cluster, groupId);
        ProduceCoalescer coalescer = cluster.node(leader).produceCoalescer();
        TestCluster.await(
            "the leader has had two entries of the partition in flight at once",
            Duration.ofSeconds(60),
            () -> coalescer.peakEntriesInFlight() >= 2);

        // More records right before the kill, so entries are in flight when the leader dies.
        for (int i = perPhase; i < 2 * perPhase; i++) {
          expected.add(value(i));
          acks.add(producer.send(ProducerRecord.of("piped", bytes(value(i)))));
        }
        cluster.stop(leader);

        long previous = -1;
        for (CompletableFuture<RecordMetadata> ack : acks) {
          long offset = ack.get(90, TimeUnit.SECONDS).offset();
          assertThat(offset).as("offsets follow send order").isGreaterThan(previous);
          previous = offset;
        }
      }

      int newLeader = awaitLeader(cluster, groupId);
      RaftServer.Division d = division(cluster, newLeader, groupId);
      TestCluster.await(
          "the new leader applied every record",
          Duration.ofSeconds(30),
          () -> log(d).offsets().next() >= expected.size());
      assertThat(values(log(d))).as("every record once, in send order").isEqualTo(expected);
    }
  }

  private static int awaitLeader(TestCluster cluster, RaftGroupId groupId) {
    int[] leader = {0};
    TestCluster.await(
        "the partition has a leader",
        Duration.ofSeconds(60),
        () -> {
          try {
            leader[0] = leaderOf(cluster, groupId);
            return true;
          } catch (AssertionError noLeaderYet) {
            return false;
          }
        });
    return leader[0];
  }

  private static String value(int i) {
    return String.format("%06d-%s", i, PADDING);
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
