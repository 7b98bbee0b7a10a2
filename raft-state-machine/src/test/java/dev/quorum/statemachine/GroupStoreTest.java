package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.protocol.raft.CommitGroupOffsets;
import dev.quorum.protocol.raft.GroupCommand;
import dev.quorum.protocol.raft.GroupState;
import dev.quorum.protocol.raft.MemberState;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.PutGroup;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.OffsetCommit;
import dev.quorum.protocol.v1.TopicPartitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group membership and committed offsets in a partition of __groups, through a real Ratis group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupStoreTest {
  @TempDir Path dir;

  @Test
  void onlyTheMemberHoldingAPartitionMayCommitItsOffset() throws Exception {
    try (RaftTestCluster cluster =
        new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new)) {
      assertThat(put(cluster, 0, member("m1", 3, 0, 1)).hasError()).isFalse();

      assertThat(commit(cluster, "m1", 3, 0, 42).hasError()).isFalse();
      assertThat(commit(cluster, "m1", 3, 2, 7).getError().getCode())
          .isEqualTo(ErrorCode.FENCED_MEMBER);
      assertThat(commit(cluster, "zombie", 1, 0, 99).getError().getCode())
          .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
      assertThat(commit(cluster, "", 0, 0, 99).getError().getCode())
          .isEqualTo(ErrorCode.GROUP_NOT_EMPTY);

      PartitionStateMachine log = cluster.stateMachine(0);
      assertThat(log.committedOffsets("g"))
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getPartition()).isZero();
                assertThat(o.getOffset()).isEqualTo(42);
              });
    }
  }

  @Test
  void aStaleGroupUpdateIsRejectedAndTheGroupSurvivesARestart() throws Exception {
    try (RaftTestCluster cluster =
        new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new)) {
      assertThat(put(cluster, 0, member("m1", 1, 0)).hasError()).isFalse();
      // Another coordinator that still believes in version 0 cannot overwrite version 1.
      assertThat(put(cluster, 0, member("m2", 1, 0)).getError().getCode())
          .isEqualTo(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      // With no members, an administrative commit (an offset reset) is accepted.
      assertThat(put(cluster, 1, GroupState.newBuilder().setGroupId("g").build()).hasError())
          .isFalse();
      assertThat(commit(cluster, "", 0, 5, 10).hasError()).isFalse();

      cluster.stop(0);
      cluster.start(0);
      PartitionStateMachine log = cluster.stateMachine(0);
      RaftTestCluster.await(
          "the group is back", Duration.ofSeconds(20), () -> log.group("g").isPresent());
      assertThat(log.group("g").get().getVersion()).isEqualTo(2);
      assertThat(log.committedOffsets("g")).extracting(o -> o.getOffset()).containsExactly(10L);
    }
  }

  private static GroupState member(String id, int epoch, int... held) {
    TopicPartitions.Builder partitions = TopicPartitions.newBuilder().setTopic("orders");
    for (int p : held) {
      partitions.addPartitions(p);
    }
    return GroupState.newBuilder()
        .setGroupId("g")
        .addMembers(
            MemberState.newBuilder().setMemberId(id).setMemberEpoch(epoch).addHeld(partitions))
        .build();
  }

  private static PartitionCommandResult put(
      RaftTestCluster cluster, long expected, GroupState state) throws Exception {
    return submit(
        cluster,
        GroupCommand.newBuilder()
            .setGroupId("g")
            .setPutGroup(PutGroup.newBuilder().setExpectedVersion(expected).setState(state))
            .build());
  }

  private static PartitionCommandResult commit(
      RaftTestCluster cluster, String member, int epoch, int partition, long offset)
      throws Exception {
    return submit(
        cluster,
        GroupCommand.newBuilder()
            .setGroupId("g")
            .setCommit(
                CommitGroupOffsets.newBuilder()
                    .setMemberId(member)
                    .setMemberEpoch(epoch)
                    .addOffsets(
                        OffsetCommit.newBuilder()
                            .setTopic("orders")
                            .setPartition(partition)
                            .setOffset(offset)))
            .build());
  }

  private static PartitionCommandResult submit(RaftTestCluster cluster, GroupCommand command)
      throws Exception {
    return PartitionCommandResult.parseFrom(
        cluster.submit(PartitionCommand.newBuilder().setGroup(command).build().toByteArray()));
  }
}
