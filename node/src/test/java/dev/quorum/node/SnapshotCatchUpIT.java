package dev.quorum.node;

import static dev.quorum.node.PartitionReplicas.division;
import static dev.quorum.node.PartitionReplicas.followerOf;
import static dev.quorum.node.PartitionReplicas.leaderOf;
import static dev.quorum.node.PartitionReplicas.log;
import static dev.quorum.node.PartitionReplicas.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that was down while the rest of its group snapshotted and purged the log it missed must
 * catch up by installing a snapshot, and then hold exactly the leader's records.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SnapshotCatchUpIT {
  /**
   * Makes the entries large enough to fill several 64 KiB log segments, which Ratis purges whole.
   */
  private static final String PADDING = "x".repeat(1024);

  @TempDir Path dir;

  @Test
  void aRestartedFollowerCatchesUpThroughASnapshotAfterTheLogWasPurged() throws Exception {
    Map<String, String> settings =
        Map.of(
            NodeConfig.ELECTION_TIMEOUT_MIN, "300ms",
            NodeConfig.ELECTION_TIMEOUT_MAX, "600ms",
            NodeConfig.SNAPSHOT_THRESHOLD, "20",
            NodeConfig.PURGE_GAP, "1",
            NodeConfig.PURGE_PRESERVE, "0",
            NodeConfig.SEGMENT_BYTES, "65536");
    try (TestCluster cluster = new TestCluster(dir, 3, settings);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      RaftGroupId groupId = cluster.createOnePartitionTopic(admin, "snap");
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .linger(Duration.ZERO)
              .deliveryTimeout(Duration.ofSeconds(30))
              .build();
      try (Producer producer = Producer.create(config)) {
        for (int i = 0; i < 10; i++) {
          producer.send(ProducerRecord.of("snap", text("before-" + i))).get(10, TimeUnit.SECONDS);
        }
        int follower = followerOf(cluster, groupId);
        long lastIndexAtStop =
            division(cluster, follower, groupId).getRaftLog().getLastEntryTermIndex().getIndex();
        cluster.stop(follower);

        // One Raft entry per record: many snapshots and purges while the follower is away.
        for (int i = 0; i < 200; i++) {
          producer
              .send(ProducerRecord.of("snap", text("during-" + i + "-" + PADDING)))
              .get(10, TimeUnit.SECONDS);
        }
        int leader = leaderOf(cluster, groupId);
        TestCluster.await(
            "the leader purged the entries the follower is missing",
            Duration.ofSeconds(30),
            () ->
                division(cluster, leader, groupId).getRaftLog().getStartIndex()
                    > lastIndexAtStop + 1);

        cluster.start(follower);
        TestCluster.await(
            "the restarted follower has every record",
            Duration.ofSeconds(60),
            () -> {
              RaftServer.Division d = division(cluster, follower, groupId);
              return d != null && log(d).offsets().next() == 210;
            });
        RaftServer.Division restarted = division(cluster, follower, groupId);
        // The entries it never received came in a snapshot (its log may hold nothing after it).
        assertThat(restarted.getStateMachine().getLatestSnapshot()).isNotNull();
        assertThat(restarted.getStateMachine().getLatestSnapshot().getIndex())
            .isGreaterThan(lastIndexAtStop + 1);
        assertThat(values(log(restarted)))
            .isEqualTo(values(log(division(cluster, leader, groupId))))
            .hasSize(210)
            .startsWith("before-0")
            .endsWith("during-199-" + PADDING);
      }
    }
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
