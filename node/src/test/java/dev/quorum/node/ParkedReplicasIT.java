package dev.quorum.node;

import static dev.quorum.node.PartitionReplicas.division;
import static dev.quorum.node.PartitionReplicas.log;
import static dev.quorum.node.PartitionReplicas.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarting node leaves its partition replicas aside until it has caught up on the metadata,
 * then starts those the metadata still assigns to it, with their data, and deletes the others.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ParkedReplicasIT {
  @TempDir Path dir;

  @Test
  void aRestartedNodeStartsItsReplicasOnceCaughtUpAndDeletesThoseOfTopicsDeletedMeanwhile()
      throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      cluster.awaitAllNodesUp(admin);
      RaftGroupId kept = cluster.createOnePartitionTopic(admin, "kept");
      RaftGroupId dropped = cluster.createOnePartitionTopic(admin, "dropped");
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(cluster.bootstrap())
              .deliveryTimeout(Duration.ofSeconds(60))
              .build();
      try (Producer producer = Producer.create(config)) {
        for (String topic : List.of("kept", "dropped")) {
          producer.send(ProducerRecord.of(topic, text("in " + topic))).get(30, TimeUnit.SECONDS);
        }
      }
      TestCluster.await(
          "node 1 has both records",
          Duration.ofSeconds(30),
          () -> hasOneRecord(cluster, kept) && hasOneRecord(cluster, dropped));

      cluster.stop(1);
      admin.deleteTopic("dropped");
      cluster.stop(2);
      cluster.stop(3);
      Path started = cluster.dataDir(1).resolve("raft");
      Path parked = cluster.dataDir(1).resolve("raft-parked");
      assertThat(started.resolve(dirName(kept))).isDirectory();
      assertThat(started.resolve(dirName(dropped))).isDirectory();

      cluster.start(1);
      // Alone, node 1 cannot catch up on the metadata: it starts neither replica, deletes neither.
      assertThat(parked.resolve(dirName(kept))).isDirectory();
      assertThat(parked.resolve(dirName(dropped))).isDirectory();
      assertThat(started.resolve(dirName(kept))).doesNotExist();
      assertThat(cluster.node(1).raftServer().getGroupIds()).doesNotContain(kept, dropped);

      cluster.start(2);
      TestCluster.await(
          "node 1 runs its replica of the kept topic again, with its record",
          Duration.ofSeconds(60),
          () -> hasOneRecord(cluster, kept));
      assertThat(values(log(division(cluster, 1, kept)))).containsExactly("in kept");
      assertThat(started.resolve(dirName(kept))).isDirectory();
      assertThat(parked.resolve(dirName(kept))).doesNotExist();
      TestCluster.await(
          "node 1 deleted its replica of the deleted topic",
          Duration.ofSeconds(30),
          () -> !Files.exists(parked.resolve(dirName(dropped))));
      assertThat(started.resolve(dirName(dropped))).doesNotExist();
      assertThat(cluster.node(1).raftServer().getGroupIds()).doesNotContain(dropped);
    }
  }

  private static boolean hasOneRecord(TestCluster cluster, RaftGroupId groupId) {
    RaftServer.Division d = division(cluster, 1, groupId);
    return d != null && d.getInfo().isAlive() && log(d).offsets().next() == 1;
  }

  private static String dirName(RaftGroupId groupId) {
    return groupId.getUuid().toString();
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
