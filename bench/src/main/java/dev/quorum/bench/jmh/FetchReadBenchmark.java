package dev.quorum.bench.jmh;

import dev.quorum.statemachine.PartitionStateMachine;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** A fetch's read: 1 MiB of stored batches from a random offset of a 64 MiB partition log. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FetchReadBenchmark {
  DetachedPartition partition;
  long records;
  final SplittableRandom random = new SplittableRandom(5);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    partition = new DetachedPartition();
    byte[] command = Batches.command(Batches.append(1024, 64 << 10, 1));
    for (int i = 0; i < 1024; i++) {
      partition.apply(command);
    }
    records = partition.log.offsets().next();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    partition.close();
  }

  @Benchmark
  public int read1MiB() {
    PartitionStateMachine.ReadResult read = partition.log.read(random.nextLong(records), 1 << 20);
    return read.batches().size();
  }
}
