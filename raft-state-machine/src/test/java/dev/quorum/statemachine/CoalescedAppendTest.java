package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendBatches;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.TransactionMarker;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several produce batches coalesced into one Raft entry are applied like separate appends, through
 * a real Ratis group: dense offsets in batch order, each batch with its own idempotence check and
 * its own result.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoalescedAppendTest {
  @TempDir Path dir;

  @Test
  void batchesOfOneEntryGetConsecutiveOffsetsInOrder() throws Exception {
    try (RaftTestCluster cluster = single()) {
      submit(cluster, List.of(batch(0, 0, 0, "x0")));
      PartitionCommandResult r =
          submit(
              cluster,
              List.of(
                  batch(1, 0, 0, "a0", "a1"), batch(2, 0, 0, "b0"), batch(0, 0, 0, "c0", "c1")));

      assertThat(r.hasError()).isFalse();
      assertThat(r.getBatchResultsList())
          .extracting(PartitionCommandResult::getBaseOffset)
          .containsExactly(1L, 3L, 4L);
      PartitionStateMachine log = log(cluster);
      assertThat(log.offsets().next()).isEqualTo(6);
      assertThat(PartitionStateMachineTest.values(log.read(0, 1 << 20), 0))
          .containsExactly("x0", "a0", "a1", "b0", "c0", "c1");
    }
  }

  @Test
  void aLaterBatchOfTheSameProducerSeesTheEarlierOneAndARetryInsideTheEntryIsADuplicate()
      throws Exception {
    try (RaftTestCluster cluster = single()) {
      PartitionCommandResult r =
          submit(
              cluster,
              List.of(
                  batch(7, 0, 0, "s0", "s1", "s2"),
                  batch(7, 0, 3, "s3", "s4"),
                  batch(7, 0, 0, "s0", "s1", "s2")));

      List<PartitionCommandResult> each = r.getBatchResultsList();
      assertThat(each.get(0).getBaseOffset()).isZero();
      assertThat(each.get(1).hasError()).isFalse();
      assertThat(each.get(1).getBaseOffset()).isEqualTo(3);
      assertThat(each.get(2).getDuplicate()).isTrue();
      assertThat(each.get(2).getBaseOffset()).isZero();
      assertThat(log(cluster).offsets().next()).isEqualTo(5);
      // The next entry continues the producer where the coalesced one left it.
      assertThat(single(cluster, batch(7, 0, 5, "s5")).getBaseOffset()).isEqualTo(5);
    }
  }

  @Test
  void aRefusedBatchFailsAloneAndTheOthersAreAppended() throws Exception {
    try (RaftTestCluster cluster = single()) {
      single(cluster, batch(7, 1, 0, "p0"));
      PartitionCommandResult r =
          submit(
              cluster,
              List.of(
                  batch(8, 0, 0, "q0"),
                  batch(7, 1, 5, "gap"),
                  batch(7, 0, 1, "fenced"),
                  AppendRecords.newBuilder().setAppendTimeMs(1_000).build(),
                  batch(8, 0, 1, "q1")));

      List<PartitionCommandResult> each = r.getBatchResultsList();
      assertThat(each).hasSize(5);
      assertThat(each.get(0).getBaseOffset()).isEqualTo(1);
      assertThat(each.get(1).getError().getCode()).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
      assertThat(each.get(2).getError().getCode()).isEqualTo(ErrorCode.PRODUCER_FENCED);
      assertThat(each.get(3).getError().getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(each.get(4).hasError()).isFalse();
      assertThat(each.get(4).getBaseOffset()).isEqualTo(2);
      PartitionStateMachine log = log(cluster);
      assertThat(PartitionStateMachineTest.values(log.read(0, 1 << 20), 0))
          .containsExactly("p0", "q0", "q1");
    }
  }

  @Test
  void producerStatesFromACoalescedEntrySurviveARestart() throws Exception {
    try (RaftTestCluster cluster = single()) {
      submit(cluster, List.of(batch(9, 0, 0, "a", "b"), batch(10, 0, 0, "c"), batch(9, 0, 2, "d")));
      cluster.stop(0);
      cluster.start(0);
      RaftTestCluster.await(
          "the replica is back",
          Duration.ofSeconds(20),
          () -> {
            try {
              return log(cluster).offsets().next() == 4;
            } catch (Exception e) {
              return false;
            }
          });

      PartitionCommandResult retry = single(cluster, batch(9, 0, 2, "d"));
      assertThat(retry.getDuplicate()).isTrue();
      assertThat(retry.getBaseOffset()).isEqualTo(3);
      assertThat(single(cluster, batch(10, 0, 1, "e")).getBaseOffset()).isEqualTo(4);
    }
  }

  @Test
  void aTransactionOpenedInACoalescedEntryHoldsTheLastStableOffsetFromItsFirstBatch()
      throws Exception {
    try (RaftTestCluster cluster = single()) {
      submit(
          cluster,
          List.of(
              batch(0, 0, 0, "plain"),
              batch(7, 3, 0, "t-a").toBuilder().setTransactional(true).build(),
              batch(8, 0, 0, "other"),
              batch(7, 3, 1, "t-b").toBuilder().setTransactional(true).build()));
      PartitionStateMachine log = log(cluster);
      assertThat(log.offsets().lastStable()).isEqualTo(1);

      PartitionCommand abort =
          PartitionCommand.newBuilder()
              .setMarker(TransactionMarker.newBuilder().setProducerId(7).setProducerEpoch(3))
              .build();
      PartitionCommandResult.parseFrom(cluster.submit(abort.toByteArray()));
      assertThat(log.offsets().lastStable()).isEqualTo(4);
      // The abort covers both of the transaction's batches and nothing else.
      List<String> committed = new ArrayList<>();
      for (byte[] b : log.read(0, 1 << 20, true).batches()) {
        RecordBatch.parseFrom(b)
            .getRecordsList()
            .forEach(r -> committed.add(r.getValue().toStringUtf8()));
      }
      assertThat(committed).containsExactly("plain", "other");
    }
  }

  @Test
  void anEmptyCoalescedEntryIsRefused() throws Exception {
    try (RaftTestCluster cluster = single()) {
      PartitionCommandResult r = submit(cluster, List.of());
      assertThat(r.getError().getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(log(cluster).offsets().next()).isZero();
    }
  }

  private RaftTestCluster single() throws Exception {
    return new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new);
  }

  private static PartitionStateMachine log(RaftTestCluster cluster) throws Exception {
    return cluster.stateMachine(0);
  }

  private static AppendRecords batch(
      long producerId, int epoch, int baseSequence, String... values) {
    AppendRecords.Builder append =
        AppendRecords.newBuilder()
            .setAppendTimeMs(1_000)
            .setProducerId(producerId)
            .setProducerEpoch(epoch)
            .setBaseSequence(baseSequence);
    for (String v : values) {
      append.addRecords(
          Record.newBuilder().setValue(ByteString.copyFromUtf8(v)).build().toByteString());
    }
    return append.build();
  }

  private static PartitionCommandResult submit(RaftTestCluster cluster, List<AppendRecords> batches)
      throws Exception {
    PartitionCommand command =
        PartitionCommand.newBuilder()
            .setAppendBatches(AppendBatches.newBuilder().addAllBatches(batches))
            .build();
    return PartitionCommandResult.parseFrom(cluster.submit(command.toByteArray()));
  }

  private static PartitionCommandResult single(RaftTestCluster cluster, AppendRecords append)
      throws Exception {
    return PartitionCommandResult.parseFrom(
        cluster.submit(PartitionCommand.newBuilder().setAppend(append).build().toByteArray()));
  }
}
