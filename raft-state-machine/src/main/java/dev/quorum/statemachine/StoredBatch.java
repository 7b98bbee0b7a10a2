package dev.quorum.statemachine;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.io.IOException;

/**
 * The stored form of a produce batch: the encoding of a {@link RecordBatch}, written straight from
 * the append that brought it.
 *
 * <p>Going through protobuf's builders rebuilt every record (to set its offset delta) and then
 * encoded the copies: a builder and two records per record, on every replica. Protobuf encodes a
 * message's fields in field-number order and the offset delta is a record's first field, so a
 * record that arrives without one, as our client sends them, encodes with its delta as the delta's
 * field followed by the record's own encoding. Such records, and records already carrying their
 * right delta, are written as they came; any other is rebuilt. The bytes are the same as the
 * builders' (StoredBatchTest).
 */
public final class StoredBatch {
  private StoredBatch() {}

  /** The batch of {@code append}'s records at {@code baseOffset}, the i-th at delta i. */
  public static byte[] encode(long baseOffset, long appendTimeMs, AppendRecords append) {
    // A message's encoding may come in pieces: the fields before the records, the records, the
    // fields after them, in field-number order as protobuf writes them.
    RecordBatch head =
        RecordBatch.newBuilder().setBaseOffset(baseOffset).setAppendTimeMs(appendTimeMs).build();
    RecordBatch tail =
        RecordBatch.newBuilder()
            .setProducerId(append.getProducerId())
            .setTransactional(append.getTransactional())
            .setProducerEpoch(append.getProducerEpoch())
            .setBaseSequence(append.getBaseSequence())
            .build();
    int count = append.getRecordsCount();
    Record[] records = new Record[count];
    int size = head.getSerializedSize() + tail.getSerializedSize();
    for (int i = 0; i < count; i++) {
      Record r = append.getRecords(i);
      if (r.getOffsetDelta() != i && r.getOffsetDelta() != 0) {
        r = r.toBuilder().setOffsetDelta(i).build();
      }
      records[i] = r;
      int length = deltaPrefixSize(r, i) + r.getSerializedSize();
      size += CodedOutputStream.computeTagSize(RecordBatch.RECORDS_FIELD_NUMBER);
      size += CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      head.writeTo(out);
      for (int i = 0; i < count; i++) {
        Record r = records[i];
        int prefix = deltaPrefixSize(r, i);
        out.writeTag(RecordBatch.RECORDS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(prefix + r.getSerializedSize());
        if (prefix > 0) {
          out.writeInt32(Record.OFFSET_DELTA_FIELD_NUMBER, i);
        }
        r.writeTo(out);
      }
      tail.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an array of the computed size failed", e);
    }
    return bytes;
  }

  /**
   * The bytes of the delta field written in front of {@code r}: only where it has none of its own.
   */
  private static int deltaPrefixSize(Record r, int delta) {
    return r.getOffsetDelta() == delta
        ? 0
        : CodedOutputStream.computeInt32Size(Record.OFFSET_DELTA_FIELD_NUMBER, delta);
  }
}
