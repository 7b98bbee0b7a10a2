package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.protocol.raft.CreateTopic;
import dev.quorum.protocol.raft.DeleteTopic;
import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.MetadataCommandResult;
import dev.quorum.protocol.raft.PartitionAssignment;
import dev.quorum.protocol.raft.RegisterNode;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Cluster metadata driven through a real single-server Ratis group. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetadataStateMachineTest {
  @TempDir Path dir;

  @Test
  void replicasAndPreferredLeadersAreSpreadEvenlyOverLiveNodes() throws Exception {
    try (RaftTestCluster cluster = cluster()) {
      registerNodes(cluster, 1, 2, 3, 4);
      MetadataCommandResult result = create(cluster, "orders", 12, 3, List.of(1, 2, 3, 4));
      assertThat(result.hasError()).isFalse();

      Map<Integer, Integer> replicas = new HashMap<>();
      Map<Integer, Integer> leaders = new HashMap<>();
      for (PartitionAssignment p : result.getTopic().getPartitionsList()) {
        assertThat(p.getReplicasList()).hasSize(3).doesNotHaveDuplicates();
        p.getReplicasList().forEach(n -> replicas.merge(n, 1, Integer::sum));
        leaders.merge(p.getReplicas(0), 1, Integer::sum);
      }
      assertThat(replicas)
          .containsOnlyKeys(1, 2, 3, 4)
          .allSatisfy((n, c) -> assertThat(c).isEqualTo(9));
      assertThat(leaders).allSatisfy((n, c) -> assertThat(c).isEqualTo(3));
    }
  }

  @Test
  void replicasGoOnlyToNodesThatWereLive() throws Exception {
    try (RaftTestCluster cluster = cluster()) {
      registerNodes(cluster, 1, 2, 3);
      MetadataCommandResult result = create(cluster, "two", 4, 2, List.of(1, 3));
      assertThat(result.getTopic().getPartitionsList())
          .allSatisfy(p -> assertThat(p.getReplicasList()).containsExactlyInAnyOrder(1, 3));
      MetadataCommandResult tooMany = create(cluster, "three", 1, 3, List.of(1, 3));
      assertThat(tooMany.getError().getCode()).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR);
      assertThat(tooMany.getError().getMessage()).contains("2 live nodes");
    }
  }

  @Test
  void invalidCommandsAreRejectedAndLeaveTheMetadataAsItWas() throws Exception {
    try (RaftTestCluster cluster = cluster()) {
      registerNodes(cluster, 1, 2, 3);
      create(cluster, "kept", 1, 1, List.of(1, 2, 3));
      assertThat(create(cluster, "bad/name", 1, 1, List.of(1)).getError().getCode())
          .isEqualTo(ErrorCode.INVALID_TOPIC_NAME);
      assertThat(create(cluster, "kept", 1, 1, List.of(1)).getError().getCode())
          .isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS);
      assertThat(create(cluster, "none", 0, 1, List.of(1)).getError().getCode())
          .isEqualTo(ErrorCode.INVALID_PARTITIONS);
      assertThat(delete(cluster, "missing").getError().getCode())
          .isEqualTo(ErrorCode.UNKNOWN_TOPIC);
      MetadataCommandResult otherCluster =
          MetadataCommandResult.parseFrom(
              cluster.submit(
                  MetadataCommand.newBuilder()
                      .setRegisterNode(
                          RegisterNode.newBuilder()
                              .setClusterId("someone-else")
                              .setNode(NodeInfo.newBuilder().setId(9)))
                      .build()
                      .toByteArray()));
      assertThat(otherCluster.getError().getMessage()).contains("someone-else");

      ClusterView view = ((MetadataStateMachine) cluster.stateMachine(0)).view();
      assertThat(view.topics()).containsOnlyKeys("kept");
      assertThat(view.nodes()).containsOnlyKeys(1, 2, 3);
    }
  }

  @Test
  void theMetadataSurvivesARestart() throws Exception {
    try (RaftTestCluster cluster = cluster()) {
      registerNodes(cluster, 1, 2, 3);
      create(cluster, "a", 2, 2, List.of(1, 2, 3));
      create(cluster, "b", 1, 1, List.of(1, 2, 3));
      delete(cluster, "a");
      ClusterView before = ((MetadataStateMachine) cluster.stateMachine(0)).view();
      cluster.stop(0);
      cluster.start(0);
      MetadataStateMachine after = cluster.stateMachine(0);
      RaftTestCluster.await(
          "the restarted metadata matches",
          Duration.ofSeconds(20),
          () -> after.view().equals(before));
      assertThat(after.view().topics()).containsOnlyKeys("b");
    }
  }

  @Test
  void aFailingListenerDoesNotStopTheReplicaApplying() throws Exception {
    try (RaftTestCluster cluster = cluster()) {
      MetadataStateMachine metadata = (MetadataStateMachine) cluster.stateMachine(0);
      // As a stopping node's reconciler does once its executor is shut down.
      metadata.addListener(
          () -> {
            throw new RejectedExecutionException("executor shut down");
          });
      AtomicInteger announced = new AtomicInteger();
      metadata.addListener(announced::incrementAndGet);

      registerNodes(cluster, 1, 2, 3);
      assertThat(create(cluster, "first", 1, 1, List.of(1)).hasError()).isFalse();
      assertThat(create(cluster, "second", 1, 1, List.of(1)).hasError()).isFalse();

      assertThat(metadata.view().topics()).containsOnlyKeys("first", "second");
      assertThat(announced.get()).isGreaterThanOrEqualTo(5);
    }
  }

  private RaftTestCluster cluster() throws Exception {
    return new RaftTestCluster(dir, 1, 1_000_000, MetadataStateMachine::new);
  }

  private static void registerNodes(RaftTestCluster cluster, int... ids) throws Exception {
    for (int id : ids) {
      MetadataCommandResult result =
          MetadataCommandResult.parseFrom(
              cluster.submit(
                  MetadataCommand.newBuilder()
                      .setRegisterNode(
                          RegisterNode.newBuilder()
                              .setClusterId("test")
                              .setNode(NodeInfo.newBuilder().setId(id).setHost("127.0.0.1")))
                      .build()
                      .toByteArray()));
      assertThat(result.hasError()).isFalse();
    }
  }

  private static MetadataCommandResult create(
      RaftTestCluster cluster, String name, int partitions, int replicas, List<Integer> live)
      throws Exception {
    return MetadataCommandResult.parseFrom(
        cluster.submit(
            MetadataCommand.newBuilder()
                .setCreateTopic(
                    CreateTopic.newBuilder()
                        .setName(name)
                        .setPartitions(partitions)
                        .setReplicationFactor(replicas)
                        .addAllLiveNodeIds(live))
                .build()
                .toByteArray()));
  }

  private static MetadataCommandResult delete(RaftTestCluster cluster, String name)
      throws Exception {
    return MetadataCommandResult.parseFrom(
        cluster.submit(
            MetadataCommand.newBuilder()
                .setDeleteTopic(DeleteTopic.newBuilder().setName(name))
                .build()
                .toByteArray()));
  }
}
