package dev.quorum.bench.jmh;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionProduceView;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.Record;
import dev.quorum.statemachine.RecordEncoding;
import dev.quorum.statemachine.StoredBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three encodings a 64 KiB produce batch goes through: the client's request, the node's Raft
 * entry (request parsed, re-wrapped as a command), and the stored batch built on apply.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchEncodingBenchmark {
  @Param({"100", "1024"})
  int recordSize;

  List<Record> records;
  byte[] request;
  byte[] command;
  final ByteBuffer storeBuffer = ByteBuffer.allocateDirect(1 << 20);

  @Setup
  public void setUp() throws Exception {
    AppendRecords append = Batches.append(recordSize, 64 << 10, 1);
    records = new ArrayList<>();
    for (ByteString record : append.getRecordsList()) {
      records.add(Record.parseFrom(record));
    }
    request = clientRequest();
    command = nodeEntry();
  }

  /** The client's PartitionProduce for one batch. */
  @Benchmark
  public byte[] clientRequest() {
    return PartitionProduce.newBuilder()
        .setTopic("bench")
        .setPartition(0)
        .setProducerId(7)
        .setBaseSequence(100)
        .addAllRecords(records)
        .build()
        .toByteArray();
  }

  /**
   * ProduceHandler + RaftSubmitter: read the request (aliasing, as ProduceRequestMarshaller does),
   * check its records, wrap them in a Raft command.
   */
  @Benchmark
  public byte[] nodeEntry() throws Exception {
    PartitionProduceView p = PartitionProduceView.parseFrom(aliasing(request));
    for (ByteString record : p.getRecordsList()) {
      RecordEncoding.check(record);
    }
    AppendRecords append =
        AppendRecords.newBuilder()
            .setAppendTimeMs(1_000)
            .addAllRecords(p.getRecordsList())
            .setProducerId(p.getProducerId())
            .setBaseSequence(p.getBaseSequence())
            .build();
    return PartitionCommand.newBuilder().setAppend(append).build().toByteArray();
  }

  /**
   * PartitionStateMachine's apply: parse the entry (aliasing, as LogEntryBytes does), encode the
   * stored batch (StoredBatch) into a direct buffer, as Store does for RocksDB.
   */
  @Benchmark
  public ByteBuffer storedBatch() throws Exception {
    AppendRecords append = PartitionCommand.parseFrom(aliasing(command)).getAppend();
    StoredBatch.of(42, 1_000, append).writeTo(storeBuffer.clear());
    return storeBuffer;
  }

  /** Protobuf aliases only input it knows cannot change, such as a ByteString's. */
  private static CodedInputStream aliasing(byte[] bytes) {
    CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    in.enableAliasing(true);
    return in;
  }
}
