package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.CommitGroupOffsets;
import dev.quorum.protocol.raft.CommitTransactionalOffsets;
import dev.quorum.protocol.raft.GroupCommand;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.TransactionCommand;
import dev.quorum.protocol.raft.TransactionMarker;
import dev.quorum.protocol.raft.TransactionState;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.OffsetCommit;
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
 * Transactional appends, markers, the last stable offset and the aborted index, through a real
 * Ratis group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionalAppendTest {
  @TempDir Path dir;

  @Test
  void anOpenTransactionHoldsTheLastStableOffsetUntilItsMarker() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 0, 0, 0, false, "plain-0");
      append(cluster, 7, 3, 0, true, "txn-a", "txn-b");
      append(cluster, 0, 0, 0, false, "plain-1");
      PartitionStateMachine log = log(cluster);
      assertThat(log.offsets().next()).isEqualTo(4);
      assertThat(log.offsets().lastStable()).isEqualTo(1);
      assertThat(values(log.read(0, 1 << 20, true))).containsExactly("plain-0");
      assertThat(values(log.read(0, 1 << 20, false)))
          .containsExactly("plain-0", "txn-a", "txn-b", "plain-1");

      assertThat(marker(cluster, 7, 3, true).hasError()).isFalse();

      assertThat(log.offsets().lastStable()).isEqualTo(4);
      assertThat(values(log.read(0, 1 << 20, true)))
          .containsExactly("plain-0", "txn-a", "txn-b", "plain-1");
    }
  }

  @Test
  void anAbortedTransactionIsInvisibleToReadCommittedAndVisibleToReadUncommitted()
      throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 7, 3, 0, true, "aborted-a");
      append(cluster, 0, 0, 0, false, "plain");
      append(cluster, 7, 3, 1, true, "aborted-b");
      marker(cluster, 7, 3, false);
      PartitionStateMachine log = log(cluster);

      PartitionStateMachine.ReadResult committed = log.read(0, 1 << 20, true);
      assertThat(values(committed)).containsExactly("plain");
      assertThat(committed.nextOffset()).isEqualTo(3);
      assertThat(values(log.read(0, 1 << 20, false)))
          .containsExactly("aborted-a", "plain", "aborted-b");
      // A read that starts after the plain record skips the aborted batch and moves on past it.
      PartitionStateMachine.ReadResult tail = log.read(2, 1 << 20, true);
      assertThat(tail.batches()).isEmpty();
      assertThat(tail.nextOffset()).isEqualTo(3);

      // The next transaction of the same producer (a new epoch) is not covered by the abort.
      append(cluster, 7, 4, 0, true, "committed");
      marker(cluster, 7, 4, true);
      assertThat(values(log.read(0, 1 << 20, true))).containsExactly("plain", "committed");
    }
  }

  @Test
  void aDelayedMarkerOfAnEarlierTransactionDoesNotEndTheNextOne() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 7, 3, 0, true, "first");
      marker(cluster, 7, 3, true);
      append(cluster, 7, 4, 0, true, "second");
      // The coordinator retried epoch 3's commit marker, and the retry arrives late.
      marker(cluster, 7, 3, true);
      PartitionStateMachine log = log(cluster);
      assertThat(log.offsets().lastStable()).isEqualTo(1);
      assertThat(values(log.read(0, 1 << 20, true))).containsExactly("first");

      marker(cluster, 7, 4, false);
      assertThat(values(log.read(0, 1 << 20, true))).containsExactly("first");
    }
  }

  @Test
  void aBatchArrivingAfterItsTransactionEndedIsRefused() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 7, 3, 0, true, "in-time");
      marker(cluster, 7, 3, true);
      // Refused as belonging to an ended transaction: the producer must abort (its coordinator
      // tells a zombie that it is fenced), and nothing is appended.
      PartitionCommandResult late = append(cluster, 7, 3, 1, true, "late");
      assertThat(late.getError().getCode()).isEqualTo(ErrorCode.INVALID_TXN_STATE);
      // A marker for a partition that never saw the transaction still keeps its late writes out.
      marker(cluster, 9, 0, false);
      assertThat(append(cluster, 9, 0, 0, true, "never").hasError()).isTrue();
      // Two epochs back is a zombie.
      assertThat(append(cluster, 7, 2, 0, true, "zombie").getError().getCode())
          .isEqualTo(ErrorCode.PRODUCER_FENCED);
      PartitionStateMachine log = log(cluster);
      assertThat(log.offsets().next()).isEqualTo(1);
      assertThat(log.offsets().lastStable()).isEqualTo(1);
    }
  }

  @Test
  void aMarkerNeverEndsAnOpenTransactionOfAnotherEpoch() throws Exception {
    try (RaftTestCluster cluster = single()) {
      append(cluster, 7, 3, 0, true, "unregistered");
      // A newer transaction cannot write here while the older one is open...
      assertThat(append(cluster, 7, 4, 0, true, "newer").getError().getCode())
          .isEqualTo(ErrorCode.INVALID_TXN_STATE);
      // ...and the newer transaction's marker leaves the older one open.
      marker(cluster, 7, 4, true);
      PartitionStateMachine log = log(cluster);
      assertThat(log.offsets().lastStable()).isEqualTo(0);
      assertThat(values(log.read(0, 1 << 20, true))).isEmpty();
      marker(cluster, 7, 3, false);
      assertThat(log.offsets().lastStable()).isEqualTo(1);
      assertThat(values(log.read(0, 1 << 20, true))).isEmpty();
    }
  }

  @Test
  void transactionalOffsetsCommitWithTheirTransactionAndVanishWithItsAbort() throws Exception {
    try (RaftTestCluster cluster = single()) {
      assertThat(txnOffsets(cluster, 7, 3, "in", 0, 10).hasError()).isFalse();
      PartitionStateMachine log = log(cluster);
      assertThat(log.hasPendingTransactionalOffsets("g")).isTrue();
      assertThat(log.committedOffsets("g")).isEmpty();
      marker(cluster, 7, 3, true);
      assertThat(log.hasPendingTransactionalOffsets("g")).isFalse();
      assertThat(log.committedOffsets("g"))
          .singleElement()
          .extracting(o -> o.getOffset())
          .isEqualTo(10L);

      txnOffsets(cluster, 7, 4, "in", 0, 20);
      marker(cluster, 7, 4, false);
      assertThat(log.committedOffsets("g").get(0).getOffset()).isEqualTo(10);
      // A zombie of epoch 4 cannot commit offsets any more.
      assertThat(txnOffsets(cluster, 7, 4, "in", 0, 30).getError().getCode())
          .isEqualTo(ErrorCode.PRODUCER_FENCED);
    }
  }

  @Test
  void transactionStateIsVersionedAndSurvivesARestart() throws Exception {
    try (RaftTestCluster cluster = single()) {
      TransactionState state =
          TransactionState.newBuilder()
              .setProducerId(7)
              .setProducerEpoch(2)
              .setPhase(TransactionState.Phase.ONGOING)
              .build();
      assertThat(putTxn(cluster, 0, state).hasError()).isFalse();
      assertThat(putTxn(cluster, 0, state).getError().getCode())
          .isEqualTo(ErrorCode.CONCURRENT_TRANSACTIONS);
      append(cluster, 7, 2, 0, true, "open");
      cluster.stop(0);
      cluster.start(0);
      RaftTestCluster.await(
          "the replica is back",
          Duration.ofSeconds(20),
          () -> logOrNull(cluster) != null && logOrNull(cluster).offsets().next() == 1);
      PartitionStateMachine log = log(cluster);
      assertThat(log.transaction("t").orElseThrow().getVersion()).isEqualTo(1);
      assertThat(log.transaction("t").orElseThrow().getPhase())
          .isEqualTo(TransactionState.Phase.ONGOING);
      // The open transaction still holds the last stable offset after the restart.
      assertThat(log.offsets().lastStable()).isEqualTo(0);
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

  private static List<String> values(PartitionStateMachine.ReadResult read) throws Exception {
    List<String> values = new ArrayList<>();
    for (byte[] serialized : read.batches()) {
      for (Record r : RecordBatch.parseFrom(serialized).getRecordsList()) {
        values.add(r.getValue().toStringUtf8());
      }
    }
    return values;
  }

  private static PartitionCommandResult append(
      RaftTestCluster cluster,
      long producerId,
      int epoch,
      int baseSequence,
      boolean transactional,
      String... values)
      throws Exception {
    AppendRecords.Builder append =
        AppendRecords.newBuilder()
            .setAppendTimeMs(1_000)
            .setProducerId(producerId)
            .setProducerEpoch(epoch)
            .setBaseSequence(baseSequence)
            .setTransactional(transactional);
    for (String value : values) {
      append.addRecords(
          Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build().toByteString());
    }
    return submit(cluster, PartitionCommand.newBuilder().setAppend(append).build());
  }

  private static PartitionCommandResult marker(
      RaftTestCluster cluster, long producerId, int epoch, boolean commit) throws Exception {
    return submit(
        cluster,
        PartitionCommand.newBuilder()
            .setMarker(
                TransactionMarker.newBuilder()
                    .setProducerId(producerId)
                    .setProducerEpoch(epoch)
                    .setCommit(commit))
            .build());
  }

  private static PartitionCommandResult txnOffsets(
      RaftTestCluster cluster, long producerId, int epoch, String topic, int partition, long offset)
      throws Exception {
    // No member id: the group has no members, as for an administrative commit.
    CommitGroupOffsets offsets =
        CommitGroupOffsets.newBuilder()
            .setCommitTimeMs(1_000)
            .addOffsets(
                OffsetCommit.newBuilder().setTopic(topic).setPartition(partition).setOffset(offset))
            .build();
    return submit(
        cluster,
        PartitionCommand.newBuilder()
            .setGroup(
                GroupCommand.newBuilder()
                    .setGroupId("g")
                    .setCommitTransactional(
                        CommitTransactionalOffsets.newBuilder()
                            .setOffsets(offsets)
                            .setProducerId(producerId)
                            .setProducerEpoch(epoch)))
            .build());
  }

  private static PartitionCommandResult putTxn(
      RaftTestCluster cluster, long expectedVersion, TransactionState state) throws Exception {
    return submit(
        cluster,
        PartitionCommand.newBuilder()
            .setTransaction(
                TransactionCommand.newBuilder()
                    .setTransactionalId("t")
                    .setExpectedVersion(expectedVersion)
                    .setState(state))
            .build());
  }

  private static PartitionCommandResult submit(RaftTestCluster cluster, PartitionCommand command)
      throws Exception {
    return PartitionCommandResult.parseFrom(cluster.submit(command.toByteArray()));
  }
}
