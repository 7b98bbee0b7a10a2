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
    int count = append.getRecordsCount();
    Record[] records = new Record[count];
    int size = 0;
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
    size += int64Size(RecordBatch.BASE_OFFSET_FIELD_NUMBER, baseOffset);
    size += int64Size(RecordBatch.APPEND_TIME_MS_FIELD_NUMBER, appendTimeMs);
    size += int64Size(RecordBatch.PRODUCER_ID_FIELD_NUMBER, append.getProducerId());
    size +=
        append.getTransactional()
            ? CodedOutputStream.computeBoolSize(RecordBatch.TRANSACTIONAL_FIELD_NUMBER, true)
            : 0;
    size += int32Size(RecordBatch.PRODUCER_EPOCH_FIELD_NUMBER, append.getProducerEpoch());
    size += int32Size(RecordBatch.BASE_SEQUENCE_FIELD_NUMBER, append.getBaseSequence());

    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      writeInt64(out, RecordBatch.BASE_OFFSET_FIELD_NUMBER, baseOffset);
      writeInt64(out, RecordBatch.APPEND_TIME_MS_FIELD_NUMBER, appendTimeMs);
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
      writeInt64(out, RecordBatch.PRODUCER_ID_FIELD_NUMBER, append.getProducerId());
      if (append.getTransactional()) {
        out.writeBool(RecordBatch.TRANSACTIONAL_FIELD_NUMBER, true);
      }
      writeInt32(out, RecordBatch.PRODUCER_EPOCH_FIELD_NUMBER, append.getProducerEpoch());
      writeInt32(out, RecordBatch.BASE_SEQUENCE_FIELD_NUMBER, append.getBaseSequence());
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

  // Fields holding their default value are not encoded, as protobuf does not encode them.

  private static int int64Size(int field, long value) {
    return value == 0 ? 0 : CodedOutputStream.computeInt64Size(field, value);
  }

  private static int int32Size(int field, int value) {
    return value == 0 ? 0 : CodedOutputStream.computeInt32Size(field, value);
  }

  private static void writeInt64(CodedOutputStream out, int field, long value) throws IOException {
    if (value != 0) {
      out.writeInt64(field, value);
    }
  }

  private static void writeInt32(CodedOutputStream out, int field, int value) throws IOException {
    if (value != 0) {
      out.writeInt32(field, value);
    }
  }
}
