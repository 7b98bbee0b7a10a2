package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.AdminConfig;
import dev.quorum.client.ClusterStatus;
import dev.quorum.client.NodeState;
import dev.quorum.client.PartitionDescription;
import dev.quorum.client.TopicDescription;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QuorumAdminTest {
  private final FakeCluster cluster = new FakeCluster(3);
  private final QuorumAdmin admin =
      new QuorumAdmin(
          AdminConfig.builder()
              .bootstrap(cluster.bootstrap())
              .requestTimeout(Duration.ofSeconds(5))
              .build(),
          cluster.connections());

  @AfterEach
  void tearDown() {
    admin.close();
    cluster.close();
  }

  @Test
  void describeTopicIncludesLeadersAndOffsets() {
    cluster.createTopic("t", 1, 2);
    cluster.append(new TopicPartition("t", 1), "a", "b", "c");

    TopicDescription d = admin.describeTopic("t");

    assertThat(d.maxMessageBytes()).isEqualTo(1 << 20);
    assertThat(d.partitions())
        .containsExactly(
            new PartitionDescription(0, 1, List.of(1), 0, 0),
            new PartitionDescription(1, 2, List.of(2), 0, 3));
    assertThat(admin.listTopics()).containsExactly("t");
    assertThatThrownBy(() -> admin.describeTopic("nope")).isInstanceOf(UnknownTopicException.class);
  }

  @Test
  void clusterStatusReportsUnreachableNodesAsDown() {
    cluster.createTopic("t", 2, 3);
    cluster.stop(3);

    ClusterStatus status = admin.clusterStatus();

    assertThat(status.clusterId()).isEqualTo("fake");
    assertThat(status.nodes()).extracting(NodeState::id).containsExactly(1, 2, 3);
    assertThat(status.nodes()).extracting(NodeState::up).containsExactly(true, true, false);
    assertThat(status.nodes().get(0).metadataLeader()).isTrue();
    assertThat(status.nodes().get(1).leaderOf()).containsExactly(new TopicPartition("t", 0));
  }
}
