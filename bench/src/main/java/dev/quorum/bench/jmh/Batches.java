package dev.quorum.bench.jmh;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.v1.Record;
import java.util.SplittableRandom;

/** Produce batches shaped like the benchmark's: random values, no keys. */
final class Batches {
  private Batches() {}

  static Record record(int size, SplittableRandom random) {
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) {
      value[i] = (byte) random.nextInt(256);
    }
    return Record.newBuilder().setValue(ByteString.copyFrom(value)).build();
  }

  /** About {@code batchBytes} of {@code recordSize}-byte records, as the node appends them. */
  static AppendRecords append(int recordSize, int batchBytes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    AppendRecords.Builder append = AppendRecords.newBuilder().setAppendTimeMs(1_000);
    for (int bytes = 0; bytes < batchBytes; bytes += recordSize) {
      append.addRecords(record(recordSize, random).toByteString());
    }
    return append.build();
  }

  static byte[] command(AppendRecords append) {
    return PartitionCommand.newBuilder().setAppend(append).build().toByteArray();
  }
}
