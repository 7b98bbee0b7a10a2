package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The partition log driven through a real single-server Ratis group. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartitionStateMachineTest {
  @TempDir Path dir;

  @Test
  void appendsGetDenseOffsetsAndReadsStartAtTheBatchHoldingTheOffset() throws Exception {
    try (RaftTestCluster cluster = single()) {
      assertThat(append(cluster, 1_000, "a", "b", "c").getBaseOffset()).isZero();
      assertThat(append(cluster, 1_001, "d").getBaseOffset()).isEqualTo(3);
      assertThat(append(cluster, 1_002, "e", "f").getBaseOffset()).isEqualTo(4);

      PartitionStateMachine log = cluster.stateMachine(0);
      assertThat(log.offsets().next()).isEqualTo(6);

      List<String> fromTwo = values(log.read(2, 1 << 20), 2);
      assertThat(fromTwo).containsExactly("c", "d", "e", "f");
      assertThat(log.read(6, 1 << 20).batches()).isEmpty();
      assertThat(log.read(6, 1 << 20).status()).isEqualTo(PartitionStateMachine.ReadStatus.OK);
      assertThat(log.read(7, 1 << 20).status())
          .isEqualTo(PartitionStateMachine.ReadStatus.BEYOND_END);
      assertThat(log.read(-1, 1 << 20).status())
          .isEqualTo(PartitionStateMachine.ReadStatus.BEFORE_START);
    }
  }

  @Test
  void aReadReturnsAtLeastOneBatchAndStopsNearMaxBytes() throws Exception {
    try (RaftTestCluster cluster = single()) {
      for (int i = 0; i < 10; i++) {
        append(cluster, 1_000 + i, "value-" + i);
      }
      PartitionStateMachine log = cluster.stateMachine(0);
      List<byte[]> all = log.read(0, 1 << 20).batches();
      assertThat(all).hasSize(10);
      assertThat(log.read(0, 1).batches()).hasSize(1);
      int firstThree = all.get(0).length + all.get(1).length + all.get(2).length;
      assertThat(log.read(0, firstThree).batches()).hasSize(3);
      assertThat(log.read(0, firstThree - 1).batches()).hasSize(2);
    }
  }

  @Test
  void appendTimesNeverGoBackwardsAndIndexLookupsByTime() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 5_000, "a");
      // A leader with a slower clock: the stored time stays at 5000.
      PartitionCommandResult late = append(cluster, 4_000, "b");
      assertThat(late.getAppendTimeMs()).isEqualTo(5_000);
      append(cluster, 9_000, "c");

      PartitionStateMachine log = cluster.stateMachine(0);
      assertThat(log.offsetForTime(0)).isZero();
      assertThat(log.offsetForTime(5_001)).isEqualTo(2);
      assertThat(log.offsetForTime(9_001)).isEqualTo(-1);
    }
  }

  @Test
  void anEmptyAppendIsRejectedWithoutChangingTheLog() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 1, "a");
      PartitionCommandResult result =
          PartitionCommandResult.parseFrom(
              cluster.submit(
                  PartitionCommand.newBuilder()
                      .setAppend(AppendRecords.newBuilder().setAppendTimeMs(2))
                      .build()
                      .toByteArray()));
      assertThat(result.getError().getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(((PartitionStateMachine) cluster.stateMachine(0)).offsets().next()).isEqualTo(1);
    }
  }

  @Test
  void anUnreadableEntryIsRefusedAndThePartitionKeepsWorking() throws Exception {
    try (RaftTestCluster cluster = single()) {
      PartitionCommandResult garbage =
          PartitionCommandResult.parseFrom(cluster.submit(new byte[] {(byte) 0xff, 0x01, 0x02}));
      assertThat(garbage.getError().getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(append(cluster, 1, "after").getBaseOffset()).isZero();
    }
  }

  @Test
  void aRestartReplaysTheLogWithoutApplyingAnythingTwice() throws Exception {
    try (RaftTestCluster cluster = single()) {
      for (int i = 0; i < 20; i++) {
        append(cluster, 1_000 + i, "v" + i);
      }
      cluster.stop(0);
      cluster.start(0);
      PartitionStateMachine log = cluster.stateMachine(0);
      RaftTestCluster.await(
          "the restarted replica serves reads",
          java.time.Duration.ofSeconds(20),
          () -> log.offsets().next() == 20);
      assertThat(values(log.read(0, 1 << 20), 0)).hasSize(20).startsWith("v0").endsWith("v19");
      assertThat(append(cluster, 2_000, "after").getBaseOffset()).isEqualTo(20);
    }
  }

  @Test
  void aSnapshotIsACheckpointThatARestartRecoversFrom() throws Exception {
    // Threshold 5: Ratis snapshots (flush + checkpoint) and purges the log while we append.
    try (RaftTestCluster cluster = new RaftTestCluster(dir, 1, 5, PartitionStateMachine::new)) {
      for (int i = 0; i < 30; i++) {
        append(cluster, 1_000 + i, "v" + i);
      }
      PartitionStateMachine before = cluster.stateMachine(0);
      RaftTestCluster.await(
          "a snapshot exists",
          java.time.Duration.ofSeconds(20),
          () -> before.getLatestSnapshot() != null && before.getLatestSnapshot().getIndex() > 5);
      assertThat(before.getLatestSnapshot().getFiles()).isNotEmpty();

      cluster.stop(0);
      cluster.start(0);
      PartitionStateMachine after = cluster.stateMachine(0);
      RaftTestCluster.await(
          "the restarted replica has every record",
          java.time.Duration.ofSeconds(20),
          () -> after.offsets().next() == 30);
      assertThat(values(after.read(0, 1 << 20), 0)).hasSize(30).endsWith("v29");
    }
  }

  private RaftTestCluster single() throws Exception {
    return new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new);
  }

  static PartitionCommandResult append(RaftTestCluster cluster, long time, String... values)
      throws Exception {
    AppendRecords.Builder append = AppendRecords.newBuilder().setAppendTimeMs(time);
    for (String value : values) {
      append.addRecords(
          Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build().toByteString());
    }
    byte[] reply =
        cluster.submit(PartitionCommand.newBuilder().setAppend(append).build().toByteArray());
    return PartitionCommandResult.parseFrom(reply);
  }

  /** The values at or after {@code from}, in offset order. */
  static List<String> values(PartitionStateMachine.ReadResult read, long from) throws Exception {
    List<String> values = new ArrayList<>();
    for (byte[] bytes : read.batches()) {
      RecordBatch batch = RecordBatch.parseFrom(bytes);
      for (Record record : batch.getRecordsList()) {
        if (batch.getBaseOffset() + record.getOffsetDelta() >= from) {
          values.add(record.getValue().toStringUtf8());
        }
      }
    }
    return values;
  }
}
