package dev.quorum.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteOutput;

/**
 * A Raft entry's data, handed to the state machine without copying it.
 *
 * <p>Ratis holds an entry's data in its own shaded protobuf {@code ByteString}; our commands are
 * parsed by protobuf-java proper. Going through a byte buffer copied the whole entry (up to half a
 * megabyte of record batches) once into a fresh array and then every record batch again while
 * parsing: on each replica, for every entry. Here the command parser reads Ratis' array in place,
 * and the record bytes it returns are slices of it.
 */
final class LogEntryBytes {
  private LogEntryBytes() {}

  /**
   * A parser input over {@code data} whose {@code bytes} fields share its array. Arrays behind a
   * {@code ByteString} never change, so the slices stay valid for as long as they are held (and
   * keep the entry's array alive that long). Data that is not in an array (a buffer, which its
   * owner may reuse) is copied.
   */
  static CodedInputStream input(org.apache.ratis.thirdparty.com.google.protobuf.ByteString data) {
    Collector collector = new Collector();
    try {
      org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(
          data, collector);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("collecting bytes in memory cannot fail", e);
    }
    CodedInputStream input = collector.bytes.newCodedInput();
    input.enableAliasing(true);
    return input;
  }

  /**
   * Receives the pieces of a shaded {@code ByteString}: its arrays shared, anything else copied.
   */
  private static final class Collector extends ByteOutput {
    private ByteString bytes = ByteString.EMPTY;

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      append(UnsafeByteOperations.unsafeWrap(value, offset, length));
    }

    @Override
    public void write(byte value) {
      append(ByteString.copyFrom(new byte[] {value}));
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      append(ByteString.copyFrom(value, offset, length));
    }

    @Override
    public void write(ByteBuffer value) {
      append(ByteString.copyFrom(value));
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      write(value);
    }

    private void append(ByteString piece) {
      bytes = bytes.isEmpty() ? piece : bytes.concat(piece);
    }
  }
}
