package dev.quorum.node;

import static dev.quorum.node.PartitionReplicas.division;
import static dev.quorum.node.PartitionReplicas.leaderOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition whose leader's process is gone gets a new leader at once: the surviving nodes find
 * the dead node's Raft port refusing connections, and one of them stands for election without
 * waiting out the election timeout. The timeout here is far longer than the test may run, so only
 * that path can elect the new leader.
 */
@ExtendWith(QuickFirstElections.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaderCrashIT {
  @TempDir Path dir;

  @Test
  void aPartitionWhoseLeaderDiesTakesWritesAgainLongBeforeTheElectionTimeout() throws Exception {
    Map<String, String> settings =
        Map.of(NodeConfig.ELECTION_TIMEOUT_MIN, "10m", NodeConfig.ELECTION_TIMEOUT_MAX, "20m");
    try (TestCluster cluster = new TestCluster(dir, 3, settings);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      RaftGroupId groupId = cluster.createOnePartitionTopic(admin, "crash");
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .linger(Duration.ZERO)
              .deliveryTimeout(Duration.ofSeconds(60))
              .build();
      try (Producer producer = Producer.create(config)) {
        for (int i = 0; i < 5; i++) {
          producer.send(ProducerRecord.of("crash", text("before-" + i))).get(10, TimeUnit.SECONDS);
        }
        int leader = leaderOf(cluster, groupId);
        long lastIndex =
            division(cluster, leader, groupId).getRaftLog().getLastEntryTermIndex().getIndex();
        // Both followers hold every entry, so priority and node id alone decide who stands.
        TestCluster.await(
            "both followers hold the leader's last entry",
            Duration.ofSeconds(10),
            () -> {
              for (int id = 1; id <= 3; id++) {
                if (division(cluster, id, groupId).getRaftLog().getLastEntryTermIndex().getIndex()
                    < lastIndex) {
                  return false;
                }
              }
              return true;
            });

        cluster.stop(leader);

        RecordMetadata after =
            producer.send(ProducerRecord.of("crash", text("after"))).get(30, TimeUnit.SECONDS);
        assertThat(after.offset()).isEqualTo(5);
        // The one that stood: the surviving replica of highest priority, then of lowest id.
        int expected = 0;
        int expectedPriority = Integer.MIN_VALUE;
        for (RaftPeer peer : division(cluster, survivor(leader), groupId).getGroup().getPeers()) {
          int id = RaftGroups.nodeIdOf(peer.getId());
          if (id != leader
              && (peer.getPriority() > expectedPriority
                  || (peer.getPriority() == expectedPriority && id < expected))) {
            expected = id;
            expectedPriority = peer.getPriority();
          }
        }
        assertThat(leaderOf(cluster, groupId)).isEqualTo(expected);
      }
    }
  }

  private static int survivor(int stopped) {
    return stopped == 1 ? 2 : 1;
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
