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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose disk lost its Raft log and with it the group's configuration is not in its own
 * configuration after a restart: Ratis shuts it down or keeps it waiting for a leader. The node
 * must restart it with its peers, and it must catch up; when every replica lost it, the group must
 * elect a leader again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LostConfigurationIT {
  private static final Map<String, String> QUICK_ELECTIONS =
      Map.of(NodeConfig.ELECTION_TIMEOUT_MIN, "300ms", NodeConfig.ELECTION_TIMEOUT_MAX, "600ms");

  @TempDir Path dir;

  @Test
  void aReplicaThatLostItsConfigurationIsRestartedWithItsPeersAndCatchesUp() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, QUICK_ELECTIONS);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      RaftGroupId groupId = cluster.createOnePartitionTopic(admin, "conf");
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .linger(Duration.ZERO)
              .deliveryTimeout(Duration.ofSeconds(60))
              .build();
      try (Producer producer = Producer.create(config)) {
        for (int i = 0; i < 20; i++) {
          producer.send(ProducerRecord.of("conf", text("before-" + i))).get(20, TimeUnit.SECONDS);
        }
        int follower = followerOf(cluster, groupId);
        cluster.stop(follower);
        loseConfiguration(cluster, follower, groupId);

        cluster.start(follower);
        for (int i = 0; i < 20; i++) {
          producer.send(ProducerRecord.of("conf", text("after-" + i))).get(20, TimeUnit.SECONDS);
        }
        TestCluster.await(
            "the replica runs again and has every record",
            Duration.ofSeconds(60),
            () -> {
              RaftServer.Division d = division(cluster, follower, groupId);
              return d != null && d.getInfo().isAlive() && log(d).offsets().next() == 40;
            });
        int leader = leaderOf(cluster, groupId);
        assertThat(values(log(division(cluster, follower, groupId))))
            .isEqualTo(values(log(division(cluster, leader, groupId))))
            .hasSize(40);
      }
    }
  }

  /**
   * Every replica of a partition crashed before its first leader's configuration entry reached any
   * disk (a chaos run killed all nodes moments after a topic was created): after the restart no
   * replica knows the group's peers, and Ratis keeps each waiting for a leader to tell it. The
   * nodes must restart them with their peers, so the partition elects a leader and takes writes
   * again.
   */
  @Test
  void aPartitionWhoseEveryReplicaLostItsConfigurationElectsALeaderAgain() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, QUICK_ELECTIONS);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      RaftGroupId groupId = cluster.createOnePartitionTopic(admin, "unconfigured");
      TestCluster.await(
          "the partition has a leader",
          Duration.ofSeconds(30),
          () -> {
            try {
              return leaderOf(cluster, groupId) > 0;
            } catch (AssertionError e) {
              return false;
            }
          });
      for (int id = 1; id <= 3; id++) {
        cluster.stop(id);
      }
      for (int id = 1; id <= 3; id++) {
        loseConfiguration(cluster, id, groupId);
      }

      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .deliveryTimeout(Duration.ofSeconds(90))
              .build();
      try (Producer producer = Producer.create(config)) {
        producer.send(ProducerRecord.of("unconfigured", text("after"))).get(90, TimeUnit.SECONDS);
      }
      TestCluster.await(
          "every replica has the record",
          Duration.ofSeconds(30),
          () -> {
            for (int id = 1; id <= 3; id++) {
              RaftServer.Division d = division(cluster, id, groupId);
              if (d == null || !d.getInfo().isAlive() || log(d).offsets().next() != 1) {
                return false;
              }
            }
            return true;
          });
    }
  }

  /** Deletes the replica's Raft log and configuration file, as a disk that never had them. */
  private static void loseConfiguration(TestCluster cluster, int node, RaftGroupId groupId)
      throws IOException {
    Path current =
        cluster
            .dataDir(node)
            .resolve("raft")
            .resolve(groupId.getUuid().toString())
            .resolve("current");
    List<Path> lost;
    try (Stream<Path> files = Files.list(current)) {
      lost =
          files
              .filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.startsWith("log_") || name.equals("raft-meta.conf");
                  })
              .toList();
    }
    // The configuration file may not be written yet; the log alone holds the configuration then.
    assertThat(lost)
        .as("log segments")
        .anyMatch(f -> f.getFileName().toString().startsWith("log_"));
    for (Path f : lost) {
      Files.delete(f);
    }
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
