package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.v1.Record;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.Test;

/** A Raft entry's record bytes reach the state machine without a copy, and intact. */
class LogEntryBytesTest {
  private static final String VALUE = "a record value of some length";

  private static final byte[] ENTRY =
      PartitionCommand.newBuilder()
          .setAppend(
              AppendRecords.newBuilder()
                  .setProducerId(7)
                  .addRecords(
                      Record.newBuilder()
                          .setValue(ByteString.copyFromUtf8(VALUE))
                          .build()
                          .toByteString())
                  .addRecords(
                      Record.newBuilder()
                          .setValue(ByteString.copyFromUtf8("second"))
                          .build()
                          .toByteString()))
          .build()
          .toByteArray();

  @Test
  void recordBytesShareTheArrayOfTheLogEntry() throws Exception {
    byte[] array = ENTRY.clone();
    ByteString record = parse(UnsafeByteOperations.unsafeWrap(array)).getRecords(0);
    assertThat(Record.parseFrom(record).getValue().toStringUtf8()).isEqualTo(VALUE);

    // Only a shared array shows a change made after parsing (nothing writes to it in the node).
    int at = indexOf(array, VALUE.getBytes(StandardCharsets.UTF_8));
    array[at] = 'A';
    assertThat(Record.parseFrom(record).getValue().toStringUtf8())
        .isEqualTo("A" + VALUE.substring(1));
  }

  @Test
  void anEntryInSeveralPiecesParsesWhole() throws Exception {
    int half = ENTRY.length / 2;
    var pieces =
        UnsafeByteOperations.unsafeWrap(ENTRY, 0, half)
            .concat(UnsafeByteOperations.unsafeWrap(ENTRY, half, ENTRY.length - half));
    AppendRecords append = parse(pieces);
    assertThat(append.getProducerId()).isEqualTo(7);
    assertThat(append.getRecordsList())
        .extracting(r -> Record.parseFrom(r).getValue().toStringUtf8())
        .containsExactly(VALUE, "second");
  }

  @Test
  void anEntryInABufferIsCopiedSinceItsOwnerMayReuseTheBuffer() throws Exception {
    ByteBuffer buffer = ByteBuffer.allocateDirect(ENTRY.length).put(ENTRY).flip();
    ByteString record = parse(UnsafeByteOperations.unsafeWrap(buffer)).getRecords(0);

    for (int i = 0; i < buffer.capacity(); i++) {
      buffer.put(i, (byte) 0);
    }
    assertThat(Record.parseFrom(record).getValue().toStringUtf8()).isEqualTo(VALUE);
  }

  private static AppendRecords parse(
      org.apache.ratis.thirdparty.com.google.protobuf.ByteString data) throws Exception {
    return PartitionCommand.parser().parseFrom(LogEntryBytes.input(data)).getAppend();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
