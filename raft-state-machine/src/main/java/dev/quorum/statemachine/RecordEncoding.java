package dev.quorum.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.quorum.protocol.v1.Header;
import dev.quorum.protocol.v1.Record;
import java.io.IOException;

/**
 * What the nodes need to know of an encoded {@link Record}, read without decoding it into objects.
 *
 * <p>Records travel from the producer's request through the Raft log into the stored batch as the
 * producer encoded them. Decoding each into objects and encoding it again took a quarter of every
 * replica's apply thread and of the leader's request threads.
 */
public final class RecordEncoding {
  private static final int DELTA_TAG =
      tag(Record.OFFSET_DELTA_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int HEADERS_TAG =
      tag(Record.HEADERS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  /** Returned by {@link #deltaPrefixSize} for a record that must be rebuilt. */
  static final int REBUILD = -1;

  private RecordEncoding() {}

  /**
   * Throws unless {@code record} parses as a {@link Record}, so that no consumer ever fails on a
   * stored record. Field by field, this accepts what protobuf's parser accepts: header keys must be
   * UTF-8, fields it does not know are skipped by their wire type.
   */
  public static void check(ByteString record) throws InvalidProtocolBufferException {
    try {
      CodedInputStream in = record.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == HEADERS_TAG) {
          Header.parseFrom(in.readBytes());
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("an end-group tag outside any group");
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  /**
   * How many bytes go in front of {@code record} to store it at offset delta {@code delta}: those
   * of the delta's field if it carries no delta (none if the delta is 0, which protobuf leaves
   * out), 0 if its first field is already that delta, or {@link #REBUILD} if it carries another
   * delta or one further in (which a field written in front would not override).
   */
  static int deltaPrefixSize(ByteString record, int delta) {
    try {
      CodedInputStream in = record.newCodedInput();
      int tag = in.readTag();
      boolean leadsWithDelta = tag == DELTA_TAG;
      // A zero written out is not protobuf's encoding: rebuilt, the stored bytes are.
      if (leadsWithDelta && (in.readInt32() != delta || delta == 0)) {
        return REBUILD;
      }
      if (leadsWithDelta) {
        tag = in.readTag();
      }
      for (; tag != 0; tag = in.readTag()) {
        if (Record.OFFSET_DELTA_FIELD_NUMBER == WireFormat.getTagFieldNumber(tag)) {
          return REBUILD;
        }
        in.skipField(tag);
      }
      if (leadsWithDelta || delta == 0) {
        return 0;
      }
      return CodedOutputStream.computeInt32Size(Record.OFFSET_DELTA_FIELD_NUMBER, delta);
    } catch (IOException e) {
      throw new IllegalStateException("a record in a committed entry does not parse", e);
    }
  }

  /** A field's tag as the wire carries it (protobuf keeps its own helper package-private). */
  private static int tag(int fieldNumber, int wireType) {
    return fieldNumber << 3 | wireType;
  }

  /** {@code record} with its offset delta set to {@code delta}, encoded as protobuf would. */
  static ByteString rebuilt(ByteString record, int delta) {
    try {
      return Record.parseFrom(record).toBuilder().setOffsetDelta(delta).build().toByteString();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a record in a committed entry does not parse", e);
    }
  }
}
