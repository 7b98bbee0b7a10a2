package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.BrokerUnavailableException;
import dev.quorum.client.NewTopic;
import dev.quorum.client.RetriableBrokerException;
import dev.quorum.client.UnknownTopicException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node starts from the metadata it last flushed and learns what the metadata group committed
 * since only from the group's leader. Until it has, it must not answer from that view: it would
 * call a topic created meanwhile unknown, a definite answer clients act on. The same holds later
 * for a node cut off from the group's majority.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetadataCatchUpIT {
  @TempDir Path dir;

  @Test
  void aNodeRefusesCallsUntilItHasCaughtUpOnMetadata() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      try (Admin all = admin(cluster.bootstrap(), Duration.ofSeconds(30))) {
        cluster.awaitAllNodesUp(all);
        cluster.stop(1);
        all.createTopic(new NewTopic("created-while-node-1-was-down", 1, 2));
      }
      cluster.stop(2);
      cluster.stop(3);
      cluster.start(1);

      String node1 = cluster.clientAddress(1);
      try (Admin viaNode1 = admin(node1, Duration.ofSeconds(3))) {
        // Alone, node 1 cannot reach the metadata group's majority, so it cannot catch up.
        assertThatThrownBy(() -> viaNode1.describeTopic("created-while-node-1-was-down"))
            .isInstanceOf(BrokerUnavailableException.class)
            .hasMessageContaining("not caught up");
      }

      cluster.start(2);
      try (Admin viaNode1 = admin(node1, Duration.ofSeconds(30))) {
        assertThat(viaNode1.describeTopic("created-while-node-1-was-down").partitions()).hasSize(1);
      }
    }
  }

  @Test
  void aNodeCutOffFromTheMetadataGroupDoesNotCallATopicUnknown() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      String node3 = cluster.clientAddress(3);
      try (Admin all = admin(cluster.bootstrap(), Duration.ofSeconds(30))) {
        cluster.awaitAllNodesUp(all);
      }
      try (Admin viaNode3 = admin(node3, Duration.ofSeconds(30))) {
        // Caught up and in touch with the others, node 3 answers for a topic nobody created.
        assertThatThrownBy(() -> viaNode3.describeTopic("never-created"))
            .isInstanceOf(UnknownTopicException.class);
      }
      cluster.stop(1);
      cluster.stop(2);
      try (Admin viaNode3 = admin(node3, Duration.ofSeconds(3))) {
        // Alone, node 3 cannot know whether the others created the topic meanwhile.
        assertThatThrownBy(() -> viaNode3.describeTopic("never-created"))
            .isInstanceOf(BrokerUnavailableException.class)
            .hasMessageContaining("cannot confirm");
        // A delete goes to the metadata group, which node 3 cannot reach: it may time out, but
        // it must not be refused as a delete of a topic that does not exist.
        assertThatThrownBy(() -> viaNode3.deleteTopic("never-created"))
            .isInstanceOf(RetriableBrokerException.class);
      }
      cluster.start(1);
      try (Admin viaNode3 = admin(node3, Duration.ofSeconds(30))) {
        assertThatThrownBy(() -> viaNode3.describeTopic("never-created"))
            .isInstanceOf(UnknownTopicException.class);
        assertThatThrownBy(() -> viaNode3.deleteTopic("never-created"))
            .isInstanceOf(UnknownTopicException.class);
      }
    }
  }

  private static Admin admin(String bootstrap, Duration requestTimeout) {
    return Admin.create(
        AdminConfig.builder().bootstrap(bootstrap).requestTimeout(requestTimeout).build());
  }
}
