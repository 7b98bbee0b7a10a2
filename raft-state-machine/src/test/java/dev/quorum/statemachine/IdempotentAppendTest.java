package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.Record;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer ids, epochs and sequence numbers make appends idempotent, through a real Ratis group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdempotentAppendTest {
  @TempDir Path dir;

  @Test
  void aRetriedBatchIsAppendedOnceAndAnsweredWithItsOriginalOffset() throws Exception {
    try (RaftTestCluster cluster = single()) {
      PartitionCommandResult first = append(cluster, 7, 0, 0, 3);
      PartitionCommandResult retry = append(cluster, 7, 0, 0, 3);
      assertThat(first.getDuplicate()).isFalse();
      assertThat(retry.getDuplicate()).isTrue();
      assertThat(retry.getBaseOffset()).isEqualTo(first.getBaseOffset());

      PartitionCommandResult next = append(cluster, 7, 0, 3, 2);
      assertThat(next.getBaseOffset()).isEqualTo(3);
      // Any of the last five batches is recognised, not only the newest.
      assertThat(append(cluster, 7, 0, 0, 3).getDuplicate()).isTrue();
      assertThat(log(cluster).offsets().next()).isEqualTo(5);
    }
  }

  @Test
  void aGapInTheSequenceIsRefusedAndNothingIsAppended() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 7, 0, 0, 2);
      PartitionCommandResult gap = append(cluster, 7, 0, 5, 1);
      assertThat(gap.getError().getCode()).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
      assertThat(gap.getError().getMessage()).contains("2 is next");
      assertThat(log(cluster).offsets().next()).isEqualTo(2);
    }
  }

  @Test
  void anOlderEpochIsFencedAndANewEpochStartsAtSequenceZero() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 7, 1, 0, 1);
      assertThat(append(cluster, 7, 0, 1, 1).getError().getCode())
          .isEqualTo(ErrorCode.PRODUCER_FENCED);
      assertThat(append(cluster, 7, 2, 4, 1).getError().getCode())
          .isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
      assertThat(append(cluster, 7, 2, 0, 1).hasError()).isFalse();
      // Producers do not interfere with each other or with non-idempotent appends.
      assertThat(append(cluster, 8, 0, 0, 1).hasError()).isFalse();
      assertThat(append(cluster, 0, 0, 0, 1).hasError()).isFalse();
      assertThat(append(cluster, 0, 0, 0, 1).getDuplicate()).isFalse();
      assertThat(log(cluster).offsets().next()).isEqualTo(5);
    }
  }

  @Test
  void deduplicationSurvivesARestart() throws Exception {
    try (RaftTestCluster cluster = single()) {
      PartitionCommandResult first = append(cluster, 9, 0, 0, 4);
      cluster.stop(0);
      cluster.start(0);
      RaftTestCluster.await(
          "the replica is back",
          Duration.ofSeconds(20),
          () -> logOrNull(cluster) != null && logOrNull(cluster).offsets().next() == 4);
      PartitionCommandResult retry = append(cluster, 9, 0, 0, 4);
      assertThat(retry.getDuplicate()).isTrue();
      assertThat(retry.getBaseOffset()).isEqualTo(first.getBaseOffset());
      assertThat(log(cluster).offsets().next()).isEqualTo(4);
    }
  }

  private RaftTestCluster single() throws Exception {
    return new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new);
  }

  private static PartitionStateMachine log(RaftTestCluster cluster) throws Exception {
    return cluster.stateMachine(0);
  }

  private static PartitionStateMachine logOrNull(RaftTestCluster cluster) {
    try {
      return cluster.stateMachine(0);
    } catch (Exception e) {
      return null;
    }
  }

  private static PartitionCommandResult append(
      RaftTestCluster cluster, long producerId, int epoch, int baseSequence, int records)
      throws Exception {
    AppendRecords.Builder append =
        AppendRecords.newBuilder()
            .setAppendTimeMs(1_000)
            .setProducerId(producerId)
            .setProducerEpoch(epoch)
            .setBaseSequence(baseSequence);
    for (int i = 0; i < records; i++) {
      append.addRecords(
          Record.newBuilder()
              .setValue(ByteString.copyFromUtf8("r" + (baseSequence + i)))
              .build()
              .toByteString());
    }
    return PartitionCommandResult.parseFrom(
        cluster.submit(PartitionCommand.newBuilder().setAppend(append).build().toByteArray()));
  }
}
