package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.protocol.raft.TopicRecord;
import org.junit.jupiter.api.Test;

class RaftGroupsTest {
  @Test
  void aPartitionGroupDirectoryNamesItsTopicAndPartition() {
    TopicRecord topic = TopicRecord.newBuilder().setName("orders").setTopicId(42).build();
    String dir = RaftGroups.partitionGroupId("c1", topic, 7).getUuid().toString();

    assertThat(EmbeddedBroker.partitionOfGroupDir("c1", "orders", dir)).isEqualTo(7);
    assertThat(EmbeddedBroker.partitionOfGroupDir("c1", "other", dir)).isEqualTo(-1);
    assertThat(EmbeddedBroker.partitionOfGroupDir("c2", "orders", dir)).isEqualTo(-1);
    String metadata = RaftGroups.metadataGroupId("c1").getUuid().toString();
    assertThat(EmbeddedBroker.partitionOfGroupDir("c1", "orders", metadata)).isEqualTo(-1);
    assertThat(EmbeddedBroker.partitionOfGroupDir("c1", "orders", "not-a-uuid")).isEqualTo(-1);
  }
}
