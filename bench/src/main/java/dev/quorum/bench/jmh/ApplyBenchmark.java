package dev.quorum.bench.jmh;

import dev.quorum.protocol.raft.AppendBatches;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PartitionStateMachine apply of 64 KiB of records: as one batch, and as eight 8 KiB batches of
 * eight idempotent producers coalesced into one entry (one RocksDB write either way).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ApplyBenchmark {
  @Param({"100", "1024"})
  int recordSize;

  DetachedPartition partition;
  byte[] single;
  AppendRecords[] small;
  int[] sequences;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    partition = new DetachedPartition();
    single = Batches.command(Batches.append(recordSize, 64 << 10, 1));
    small = new AppendRecords[8];
    sequences = new int[8];
    for (int i = 0; i < small.length; i++) {
      small[i] = Batches.append(recordSize, 8 << 10, i).toBuilder().setProducerId(i + 1).build();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    partition.close();
  }

  @Benchmark
  public void oneBatchPerEntry() {
    partition.apply(single);
  }

  @Benchmark
  public void eightBatchesCoalesced() {
    AppendBatches.Builder batches = AppendBatches.newBuilder();
    for (int i = 0; i < small.length; i++) {
      batches.addBatches(small[i].toBuilder().setBaseSequence(sequences[i]));
      sequences[i] += small[i].getRecordsCount();
    }
    partition.apply(PartitionCommand.newBuilder().setAppendBatches(batches).build().toByteArray());
  }
}
