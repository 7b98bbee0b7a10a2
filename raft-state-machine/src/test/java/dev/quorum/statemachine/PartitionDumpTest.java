package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.TransactionMarker;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A stopped replica's store, read from disk, holds what was applied: batches, headers, aborts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartitionDumpTest {
  @TempDir Path dir;

  @Test
  void aStoppedReplicaDumpsEveryBatchWithItsProducerHeaderAndAbortState() throws Exception {
    try (RaftTestCluster cluster =
        new RaftTestCluster(dir, 1, 1_000_000, PartitionStateMachine::new)) {
      append(cluster, 0, 0, 0, false, "plain");
      append(cluster, 9, 2, 0, false, "idem-0", "idem-1");
      append(cluster, 9, 2, 2, false, "idem-2");
      append(cluster, 7, 3, 0, true, "txn-a");
      cluster.submit(
          PartitionCommand.newBuilder()
              .setMarker(
                  TransactionMarker.newBuilder()
                      .setProducerId(7)
                      .setProducerEpoch(3)
                      .setCommit(false))
              .build()
              .toByteArray());
      cluster.stop(0);

      Path store;
      try (Stream<Path> groups = Files.list(dir.resolve("s0"))) {
        store = groups.map(g -> g.resolve("db")).filter(PartitionDump::isStore).findFirst().get();
      }
      PartitionDump.Contents contents = PartitionDump.read(store);

      assertThat(contents.start()).isZero();
      assertThat(contents.end()).isEqualTo(5);
      List<PartitionDump.Batch> batches = contents.batches();
      assertThat(batches).hasSize(4);
      RecordBatch second = batches.get(1).batch();
      assertThat(second.getBaseOffset()).isEqualTo(1);
      assertThat(second.getProducerId()).isEqualTo(9);
      assertThat(second.getProducerEpoch()).isEqualTo(2);
      assertThat(second.getBaseSequence()).isZero();
      assertThat(second.getRecordsCount()).isEqualTo(2);
      assertThat(batches.get(2).batch().getBaseSequence()).isEqualTo(2);
      assertThat(batches.get(2).aborted()).isFalse();
      assertThat(batches.get(3).batch().getTransactional()).isTrue();
      assertThat(batches.get(3).aborted()).isTrue();
      assertThat(batches.get(0).batch().getRecords(0).getValue().toStringUtf8()).isEqualTo("plain");
    }
  }

  private static void append(
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
    cluster.submit(PartitionCommand.newBuilder().setAppend(append).build().toByteArray());
  }
}
