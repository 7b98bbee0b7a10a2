package dev.quorum.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The stored form of a produce batch: the encoding of a {@link RecordBatch}, written straight from
 * the append that brought it.
 *
 * <p>A batch's records are the append's encoded records, each with the offset delta of its place in
 * the batch. Protobuf encodes a message's fields in field-number order and the offset delta is a
 * record's first field, so a record that arrives without one, as our client sends them, is stored
 * as the delta's field followed by the record's bytes as they came. A record that carries another
 * delta is rebuilt. The bytes are those protobuf's builders would make (StoredBatchTest).
 */
public final class StoredBatch {
  private final RecordBatch head;
  private final RecordBatch tail;
  private final ByteString[] records;
  private final int[] prefixes;
  private final int size;

  private StoredBatch(RecordBatch head, RecordBatch tail, ByteString[] records, int[] prefixes) {
    this.head = head;
    this.tail = tail;
    this.records = records;
    this.prefixes = prefixes;
    int size = head.getSerializedSize() + tail.getSerializedSize();
    for (int i = 0; i < records.length; i++) {
      int length = prefixes[i] + records[i].size();
      size += CodedOutputStream.computeTagSize(RecordBatch.RECORDS_FIELD_NUMBER);
      size += CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }
    this.size = size;
  }

  /** The batch of {@code append}'s records at {@code baseOffset}, the i-th at delta i. */
  public static StoredBatch of(long baseOffset, long appendTimeMs, AppendRecords append) {
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
    ByteString[] records = new ByteString[count];
    int[] prefixes = new int[count];
    for (int i = 0; i < count; i++) {
      ByteString r = append.getRecords(i);
      int prefix = RecordEncoding.deltaPrefixSize(r, i);
      if (prefix == RecordEncoding.REBUILD) {
        r = RecordEncoding.rebuilt(r, i);
        prefix = 0;
      }
      records[i] = r;
      prefixes[i] = prefix;
    }
    return new StoredBatch(head, tail, records, prefixes);
  }

  /** The encoding's length in bytes. */
  public int size() {
    return size;
  }

  /** Writes the encoding into {@code target} from its position on, which it moves past it. */
  public void writeTo(ByteBuffer target) {
    CodedOutputStream out = CodedOutputStream.newInstance(target.slice(target.position(), size));
    write(out);
    target.position(target.position() + size);
  }

  public byte[] toByteArray() {
    byte[] bytes = new byte[size];
    write(CodedOutputStream.newInstance(bytes));
    return bytes;
  }

  private void write(CodedOutputStream out) {
    try {
      head.writeTo(out);
      for (int i = 0; i < records.length; i++) {
        out.writeTag(RecordBatch.RECORDS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(prefixes[i] + records[i].size());
        if (prefixes[i] > 0) {
          out.writeInt32(Record.OFFSET_DELTA_FIELD_NUMBER, i);
        }
        out.writeRawBytes(records[i]);
      }
      tail.writeTo(out);
      out.flush();
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into a buffer of the computed size failed", e);
    }
  }
}
