package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.AdminConfig;
import dev.quorum.client.GroupDescription;
import dev.quorum.client.GroupListing;
import dev.quorum.client.GroupMember;
import dev.quorum.client.GroupNotEmptyException;
import dev.quorum.client.GroupNotFoundException;
import dev.quorum.client.OffsetResetSpec;
import dev.quorum.client.PartitionLag;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GroupAdminTest {
  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);
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
  void listGroupsAsksEveryNodeAndSortsById() {
    cluster.group("zeta");
    cluster.group("alpha").members.put("m-1", new FakeCluster.FakeMember("m-1", ""));
    cluster.group("mid");
    cluster.groupCoordinators.put("zeta", 3);
    cluster.groupCoordinators.put("mid", 2);

    assertThat(admin.listGroups())
        .containsExactly(
            new GroupListing("alpha", "STABLE", 1),
            new GroupListing("mid", "EMPTY", 0),
            new GroupListing("zeta", "EMPTY", 0));
  }

  @Test
  void describeGroupAsksTheCoordinatorAndComputesLag() {
    cluster.createTopic("t", 1, 2);
    cluster.append(T0, "a", "b", "c", "d");
    cluster.append(T1, "x");
    cluster.groupCoordinators.put("g", 3);
    FakeCluster.FakeGroup g = cluster.group("g");
    FakeCluster.FakeMember m = new FakeCluster.FakeMember("m-1", "i-1");
    m.owned = Set.of(T0);
    g.members.put(m.id, m);
    g.committed.put(T1, 1L);
    g.committed.put(T0, 1L);
    cluster.target = Set.of(T0, T1);

    GroupDescription d = admin.describeGroup("g");

    assertThat(d.groupId()).isEqualTo("g");
    assertThat(d.state()).isEqualTo("STABLE");
    assertThat(d.groupEpoch()).isEqualTo(3);
    assertThat(d.assignor()).isEqualTo("sticky");
    assertThat(d.members())
        .containsExactly(new GroupMember("m-1", "i-1", "c", Set.of(T0), Set.of(T0, T1)));
    assertThat(d.offsets())
        .containsExactly(new PartitionLag(T0, 1, 4, 3), new PartitionLag(T1, 1, 1, 0));
    assertThatThrownBy(() -> admin.describeGroup("nope"))
        .isInstanceOf(GroupNotFoundException.class);
  }

  @Test
  void resetOffsetsResolvesAndCommitsAsAdministrator() {
    cluster.createTopic("t", 1, 2);
    cluster.append(T0, "a", "b", "c");
    cluster.append(T1, "x");

    assertThat(admin.resetOffsets("g", "t", OffsetResetSpec.latest()))
        .isEqualTo(Map.of(T0, 3L, T1, 1L));
    assertThat(cluster.group("g").committed).isEqualTo(Map.of(T0, 3L, T1, 1L));
    assertThat(admin.resetOffsets("g", "t", OffsetResetSpec.earliest()))
        .isEqualTo(Map.of(T0, 0L, T1, 0L));
    assertThat(admin.resetOffsets("g", "t", OffsetResetSpec.toOffset(2)))
        .isEqualTo(Map.of(T0, 2L, T1, 1L));
    assertThat(admin.resetOffsets("g", "t", OffsetResetSpec.toDatetime(Instant.ofEpochMilli(500))))
        .isEqualTo(Map.of(T0, 0L, T1, 0L));
    assertThat(admin.resetOffsets("g", "t", OffsetResetSpec.toDatetime(Instant.ofEpochMilli(5000))))
        .isEqualTo(Map.of(T0, 3L, T1, 1L));
    CommitOffsetsRequest commit = cluster.commits().get(0);
    assertThat(commit.getMemberId()).isEmpty();

    assertThatThrownBy(() -> admin.resetOffsets("g", "nope", OffsetResetSpec.latest()))
        .isInstanceOf(UnknownTopicException.class);
    cluster.group("g").members.put("m-1", new FakeCluster.FakeMember("m-1", ""));
    assertThatThrownBy(() -> admin.resetOffsets("g", "t", OffsetResetSpec.latest()))
        .isInstanceOf(GroupNotEmptyException.class);
  }
}
