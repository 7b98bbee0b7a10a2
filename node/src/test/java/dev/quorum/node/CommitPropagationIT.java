package dev.quorum.node;

import static dev.quorum.node.PartitionReplicas.division;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.statemachine.MetadataStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes write no commit-index entries to their Raft logs (RatisProperties), so a follower learns
 * that an entry committed from the next entry or heartbeat. For metadata the leader sends the
 * commit at once: here heartbeats come every five minutes, so only that can let every node act on a
 * new topic within the test.
 */
@ExtendWith(QuickFirstElections.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommitPropagationIT {
  @TempDir Path dir;

  @Test
  void everyNodeKnowsNewTopicsAndHostsTheirReplicasLongBeforeAHeartbeat() throws Exception {
    Map<String, String> settings =
        Map.of(NodeConfig.ELECTION_TIMEOUT_MIN, "10m", NodeConfig.ELECTION_TIMEOUT_MAX, "20m");
    try (TestCluster cluster = new TestCluster(dir, 3, settings);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      RaftGroupId metadataGroup = RaftGroups.metadataGroupId(cluster.clusterId());
      // Several in turn: each one's commit must reach the followers, not only the first.
      for (String topic : new String[] {"first", "second", "third"}) {
        RaftGroupId partition = cluster.createOnePartitionTopic(admin, topic);
        TestCluster.await(
            "every node knows " + topic + " and hosts a replica of its partition",
            Duration.ofSeconds(20),
            () -> {
              for (int id = 1; id <= 3; id++) {
                RaftServer.Division metadata = division(cluster, id, metadataGroup);
                if (metadata == null
                    || ((MetadataStateMachine) metadata.getStateMachine())
                        .view()
                        .topic(topic)
                        .isEmpty()
                    || division(cluster, id, partition) == null) {
                  return false;
                }
              }
              return true;
            });
        assertThat(admin.describeTopic(topic).partitions()).hasSize(1);
      }
    }
  }
}
