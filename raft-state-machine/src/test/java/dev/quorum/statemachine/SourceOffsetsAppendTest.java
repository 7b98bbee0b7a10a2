package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendBatches;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.protocol.v1.SourceOffset;
import dev.quorum.protocol.v1.SourceOffsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records appended together with the input offsets they were made from, in one entry: the offsets
 * move only from what the writer read, a retry is answered from the first append, and a refused
 * write appends nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SourceOffsetsAppendTest {
  @TempDir Path dir;

  @Test
  void offsetsMoveOnlyFromWhatTheWriterReadAndARefusedWriteAppendsNothing() throws Exception {
    try (RaftTestCluster cluster = single()) {
      assertThat(submit(cluster, append("r1", -1, 10, "out-0", "out-1")).hasError()).isFalse();
      assertThat(stored(cluster)).isEqualTo(List.of("in-0=10"));

      // A zombie that read the same starting point processed the same input again.
      PartitionCommandResult zombie = submit(cluster, append("r2", -1, 10, "zombie"));
      assertThat(zombie.getError().getCode()).isEqualTo(ErrorCode.SOURCE_OFFSET_CONFLICT);
      assertThat(zombie.getError().getMessage()).contains("in-0 is at 10, not -1");

      PartitionCommandResult next = submit(cluster, append("r3", 10, 15, "out-2"));
      assertThat(next.getBaseOffset()).isEqualTo(2);
      assertThat(values(cluster)).containsExactly("out-0", "out-1", "out-2");
      assertThat(stored(cluster)).isEqualTo(List.of("in-0=15"));
    }
  }

  @Test
  void aRetryOfAnAppliedRequestIsAnsweredWithItsFirstResultAndAppendsNothing() throws Exception {
    try (RaftTestCluster cluster = single()) {
      submit(cluster, append("r1", -1, 3, "a"));
      PartitionCommandResult first = submit(cluster, append("r2", 3, 7, "b", "c"));

      PartitionCommandResult retry = submit(cluster, append("r2", 3, 7, "b", "c"));

      assertThat(retry.getDuplicate()).isTrue();
      assertThat(retry.getBaseOffset()).isEqualTo(first.getBaseOffset()).isEqualTo(1);
      assertThat(values(cluster)).containsExactly("a", "b", "c");
    }
  }

  @Test
  void batchesOfOneEntrySeeTheOffsetsEarlierOnesStored() throws Exception {
    try (RaftTestCluster cluster = single()) {
      PartitionCommand both =
          PartitionCommand.newBuilder()
              .setAppendBatches(
                  AppendBatches.newBuilder()
                      .addBatches(append("r1", -1, 5, "first"))
                      .addBatches(append("r2", -1, 5, "stale"))
                      .addBatches(append("r3", 5, 9, "second")))
              .build();
      PartitionCommandResult result =
          PartitionCommandResult.parseFrom(cluster.submit(both.toByteArray()));

      assertThat(result.getBatchResults(0).hasError()).isFalse();
      assertThat(result.getBatchResults(1).getError().getCode())
          .isEqualTo(ErrorCode.SOURCE_OFFSET_CONFLICT);
      assertThat(result.getBatchResults(2).hasError()).isFalse();
      assertThat(values(cluster)).containsExactly("first", "second");
      assertThat(stored(cluster)).isEqualTo(List.of("in-0=9"));
    }
  }

  @Test
  void storedOffsetsSurviveARestart() throws Exception {
    try (RaftTestCluster cluster = single()) {
      submit(cluster, append("r1", -1, 4, "a"));
      cluster.stop(0);
      cluster.start(0);
      assertThat(stored(cluster)).isEqualTo(List.of("in-0=4"));
      assertThat(submit(cluster, append("r2", -1, 8, "b")).getError().getCode())
          .isEqualTo(ErrorCode.SOURCE_OFFSET_CONFLICT);
    }
  }

  @Test
  void invalidSourceOffsetsAreRefusedByName() throws Exception {
    try (RaftTestCluster cluster = single()) {
      AppendRecords transactional =
          append("r1", -1, 4, "a").toBuilder().setProducerId(7).setTransactional(true).build();
      assertThat(submit(cluster, transactional).getError().getMessage())
          .contains("without a producer id");
      AppendRecords noOwner =
          append("r1", -1, 4, "a").toBuilder()
              .setSourceOffsets(
                  append("r1", -1, 4, "a").getSourceOffsets().toBuilder().setOwner(""))
              .build();
      assertThat(submit(cluster, noOwner).getError().getCode())
          .isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(values(cluster)).isEmpty();
    }
  }

  @Test
  void ownersWithASharedPrefixAndSeveralSourcePartitionsKeepTheirOwnOffsets() throws Exception {
    try (RaftTestCluster cluster = single()) {
      AppendRecords two =
          append("r1", -1, 4, "a").toBuilder()
              .setSourceOffsets(
                  append("r1", -1, 4, "a").getSourceOffsets().toBuilder()
                      .addOffsets(
                          SourceOffset.newBuilder()
                              .setTopic("in")
                              .setPartition(1)
                              .setExpected(-1)
                              .setNext(9)))
              .build();
      assertThat(submit(cluster, two).hasError()).isFalse();
      AppendRecords longerOwner =
          append("r2", -1, 6, "b").toBuilder()
              .setSourceOffsets(
                  append("r2", -1, 6, "b").getSourceOffsets().toBuilder().setOwner("app2"))
              .build();
      assertThat(submit(cluster, longerOwner).hasError()).isFalse();

      assertThat(stored(cluster)).containsExactly("in-0=4", "in-1=9");
      PartitionStateMachine log = cluster.stateMachine(0);
      assertThat(log.sourceOffsets("app2"))
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getPartition()).isZero();
                assertThat(o.getNext()).isEqualTo(6);
              });
      // One stale partition refuses the whole write.
      AppendRecords halfStale =
          append("r3", 4, 5, "c").toBuilder()
              .setSourceOffsets(
                  append("r3", 4, 5, "c").getSourceOffsets().toBuilder()
                      .addOffsets(
                          SourceOffset.newBuilder()
                              .setTopic("in")
                              .setPartition(1)
                              .setExpected(-1)
                              .setNext(10)))
              .build();
      assertThat(submit(cluster, halfStale).getError().getCode())
          .isEqualTo(ErrorCode.SOURCE_OFFSET_CONFLICT);
      assertThat(values(cluster)).containsExactly("a", "b");
      assertThat(stored(cluster)).containsExactly("in-0=4", "in-1=9");
    }
  }

  private RaftTestCluster single() throws Exception {
    return new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new);
  }

  private static AppendRecords append(String requestId, long expected, long next, String... v) {
    AppendRecords.Builder append =
        AppendRecords.newBuilder()
            .setAppendTimeMs(1_000)
            .setSourceOffsets(
                SourceOffsets.newBuilder()
                    .setOwner("app")
                    .setRequestId(requestId)
                    .addOffsets(
                        SourceOffset.newBuilder()
                            .setTopic("in")
                            .setPartition(0)
                            .setExpected(expected)
                            .setNext(next)));
    for (String value : v) {
      append.addRecords(
          Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build().toByteString());
    }
    return append.build();
  }

  private static PartitionCommandResult submit(RaftTestCluster cluster, AppendRecords append)
      throws Exception {
    return PartitionCommandResult.parseFrom(
        cluster.submit(PartitionCommand.newBuilder().setAppend(append).build().toByteArray()));
  }

  private static List<String> stored(RaftTestCluster cluster) throws Exception {
    List<String> out = new ArrayList<>();
    for (SourceOffset o : cluster.<PartitionStateMachine>stateMachine(0).sourceOffsets("app")) {
      out.add(o.getTopic() + "-" + o.getPartition() + "=" + o.getNext());
    }
    return out;
  }

  private static List<String> values(RaftTestCluster cluster) throws Exception {
    List<String> out = new ArrayList<>();
    PartitionStateMachine log = cluster.stateMachine(0);
    for (byte[] bytes : log.read(0, 1 << 20).batches()) {
      for (Record r : RecordBatch.parseFrom(bytes).getRecordsList()) {
        out.add(r.getValue().toStringUtf8());
      }
    }
    return out;
  }
}
