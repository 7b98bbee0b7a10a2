package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

/** What the node hands to Raft when produce batches for one partition arrive concurrently. */
class ProduceCoalescerTest {
  private final List<Submitted> submitted = new ArrayList<>();
  private final ProduceCoalescer coalescer =
      new ProduceCoalescer(
          (partition, command, timeoutMs) -> {
            Submitted s = new Submitted(partition, command, timeoutMs, new CompletableFuture<>());
            submitted.add(s);
            return s.result();
          },
          10_000,
          1,
          0);
  private final LocalReplicas.Partition p0 = partition(0);
  private final LocalReplicas.Partition p1 = partition(1);

  @Test
  void aBatchForAnIdlePartitionGoesAtOnceAlone() {
    CompletableFuture<PartitionCommandResult> a = coalescer.append(p0, batch("a", 10), 5_000);

    assertThat(submitted).hasSize(1);
    assertThat(submitted.get(0).command().hasAppend()).isTrue();
    assertThat(submitted.get(0).timeoutMs()).isEqualTo(5_000);
    submitted.get(0).result().complete(offset(7));
    assertThat(a.join().getBaseOffset()).isEqualTo(7);
    assertThat(coalescer.busyPartitions()).isZero();
  }

  @Test
  void batchesArrivingWhileAnEntryIsInFlightGoTogetherAsTheNextEntryEachWithItsOwnResult() {
    CompletableFuture<PartitionCommandResult> a = coalescer.append(p0, batch("a", 10), 1_000);
    CompletableFuture<PartitionCommandResult> b = coalescer.append(p0, batch("b", 10), 2_000);
    CompletableFuture<PartitionCommandResult> c = coalescer.append(p0, batch("c", 10), 3_000);
    // Another partition is not held up by p0's entry.
    coalescer.append(p1, batch("other", 10), 1_000);
    assertThat(submitted).hasSize(2);

    submitted.get(0).result().complete(offset(0));
    assertThat(a.join().getBaseOffset()).isZero();
    assertThat(submitted).hasSize(3);
    Submitted next = submitted.get(2);
    assertThat(next.partition()).isEqualTo(p0);
    assertThat(next.command().getAppendBatches().getBatchesList())
        .extracting(x -> Record.parseFrom(x.getRecords(0)).getValue().toStringUtf8())
        .containsExactly("b0", "c0");
    assertThat(next.timeoutMs()).isEqualTo(3_000);

    Error refused = Error.newBuilder().setCode(ErrorCode.OUT_OF_ORDER_SEQUENCE).build();
    next.result()
        .complete(
            PartitionCommandResult.newBuilder()
                .addBatchResults(offset(10))
                .addBatchResults(PartitionCommandResult.newBuilder().setError(refused))
                .build());
    assertThat(b.join().getBaseOffset()).isEqualTo(10);
    assertThat(c.join().getError().getCode()).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
  }

  @Test
  void whenTheEntryFailsEveryBatchInItFails() {
    coalescer.append(p0, batch("a", 1), 1_000);
    CompletableFuture<PartitionCommandResult> b = coalescer.append(p0, batch("b", 1), 1_000);
    CompletableFuture<PartitionCommandResult> c = coalescer.append(p0, batch("c", 1), 1_000);
    submitted.get(0).result().complete(offset(0));

    Error notLeader =
        Error.newBuilder().setCode(ErrorCode.NOT_LEADER).setIndeterminate(true).build();
    submitted
        .get(1)
        .result()
        .complete(PartitionCommandResult.newBuilder().setError(notLeader).build());
    assertThat(b.join().getError()).isEqualTo(notLeader);
    assertThat(c.join().getError()).isEqualTo(notLeader);
    assertThat(coalescer.busyPartitions()).isZero();
  }

  @Test
  void anEntryHoldsAtMostTheByteLimitAndTheRestWaitsForTheNextOne() {
    coalescer.append(p0, batch("a", 4_000), 1_000);
    List<CompletableFuture<PartitionCommandResult>> queued = new ArrayList<>();
    for (String v : List.of("b", "c", "d")) {
      queued.add(coalescer.append(p0, batch(v, 4_000), 1_000));
    }
    submitted.get(0).result().complete(offset(0));

    assertThat(submitted.get(1).command().getAppendBatches().getBatchesCount()).isEqualTo(2);
    submitted
        .get(1)
        .result()
        .complete(
            PartitionCommandResult.newBuilder()
                .addBatchResults(offset(1))
                .addBatchResults(offset(2))
                .build());
    // The one left over goes alone, as a plain append.
    assertThat(submitted.get(2).command().hasAppend()).isTrue();
    submitted.get(2).result().complete(offset(3));
    assertThat(queued).extracting(f -> f.join().getBaseOffset()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aResultThatDoesNotMatchTheBatchesFailsThemAllRatherThanMisattributing() {
    coalescer.append(p0, batch("a", 1), 1_000);
    CompletableFuture<PartitionCommandResult> b = coalescer.append(p0, batch("b", 1), 1_000);
    CompletableFuture<PartitionCommandResult> c = coalescer.append(p0, batch("c", 1), 1_000);
    submitted.get(0).result().complete(offset(0));
    submitted
        .get(1)
        .result()
        .complete(PartitionCommandResult.newBuilder().addBatchResults(offset(1)).build());

    assertThat(b.join().getError().getCode()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(b.join().getError().getIndeterminate()).isTrue();
    assertThat(c.join().getError().getCode()).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void batchesOfOneProducerThatArriveSwappedAreAppendedInSequenceOrder() {
    coalescer.append(p0, sequenced("a", 7, 0, 0), 1_000); // in flight
    CompletableFuture<PartitionCommandResult> third =
        coalescer.append(p0, sequenced("c", 7, 0, 2), 1_000);
    CompletableFuture<PartitionCommandResult> other =
        coalescer.append(p0, sequenced("x", 8, 0, 5), 1_000);
    CompletableFuture<PartitionCommandResult> second =
        coalescer.append(p0, sequenced("b", 7, 0, 1), 1_000);
    CompletableFuture<PartitionCommandResult> unsequenced =
        coalescer.append(p0, batch("u", 1), 1_000);

    submitted.get(0).result().complete(offset(0));

    List<AppendRecords> entry = submitted.get(1).command().getAppendBatches().getBatchesList();
    assertThat(entry)
        .extracting(x -> Record.parseFrom(x.getRecords(0)).getValue().toStringUtf8())
        .containsExactly("b0", "c0", "x0", "u0");
    submitted
        .get(1)
        .result()
        .complete(
            PartitionCommandResult.newBuilder()
                .addBatchResults(offset(1))
                .addBatchResults(offset(2))
                .addBatchResults(offset(3))
                .addBatchResults(offset(4))
                .build());
    // Each caller still gets its own batch's result.
    assertThat(second.join().getBaseOffset()).isEqualTo(1);
    assertThat(third.join().getBaseOffset()).isEqualTo(2);
    assertThat(other.join().getBaseOffset()).isEqualTo(3);
    assertThat(unsequenced.join().getBaseOffset()).isEqualTo(4);
  }

  private static AppendRecords sequenced(String value, long producerId, int epoch, int sequence) {
    return batch(value, 1).toBuilder()
        .setProducerId(producerId)
        .setProducerEpoch(epoch)
        .setBaseSequence(sequence)
        .build();
  }

  private record Submitted(
      LocalReplicas.Partition partition,
      PartitionCommand command,
      long timeoutMs,
      CompletableFuture<PartitionCommandResult> result) {}

  private static LocalReplicas.Partition partition(int n) {
    return new LocalReplicas.Partition(
        TopicRecord.newBuilder().setName("t").build(),
        n,
        RaftGroupId.valueOf(UUID.randomUUID()),
        null);
  }

  private static AppendRecords batch(String value, int bytes) {
    return AppendRecords.newBuilder()
        .addRecords(
            Record.newBuilder()
                .setValue(ByteString.copyFromUtf8(value + "0"))
                .setKey(ByteString.copyFrom(new byte[bytes]))
                .build()
                .toByteString())
        .build();
  }

  private static PartitionCommandResult offset(long base) {
    return PartitionCommandResult.newBuilder().setBaseOffset(base).build();
  }
}
