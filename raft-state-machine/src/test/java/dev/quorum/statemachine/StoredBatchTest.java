package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.v1.Header;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A stored batch written straight from its append is the batch protobuf's builders make: the same
 * bytes, whatever the records carry and whatever offset deltas they arrived with.
 */
class StoredBatchTest {
  private static final long SEED = 0x5eed_ba7cL;

  @Test
  void encodesTheBytesTheBuildersEncode() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int run = 0; run < 2_000; run++) {
      long baseOffset = random.nextBoolean() ? 0 : random.nextLong(1L << 40);
      long appendTime = random.nextBoolean() ? 0 : random.nextLong(1L << 42);
      AppendRecords append = randomAppend(random);

      StoredBatch stored = StoredBatch.of(baseOffset, appendTime, append);
      byte[] encoded = stored.toByteArray();

      assertThat(encoded)
          .as("seed %d, run %d", SEED, run)
          .isEqualTo(byBuilders(baseOffset, appendTime, append));
      assertThat(writtenToDirectBuffer(stored)).as("seed %d, run %d", SEED, run).isEqualTo(encoded);
      RecordBatch parsed = RecordBatch.parseFrom(encoded);
      for (int i = 0; i < parsed.getRecordsCount(); i++) {
        assertThat(parsed.getRecords(i).getOffsetDelta()).isEqualTo(i);
        assertThat(parsed.getRecords(i).getValue())
            .isEqualTo(Record.parseFrom(append.getRecords(i)).getValue());
      }
    }
  }

  @Test
  void aRecordWithAWrongDeltaGetsItsOwn() throws Exception {
    AppendRecords append =
        AppendRecords.newBuilder()
            .addRecords(
                Record.newBuilder()
                    .setOffsetDelta(5)
                    .setValue(ByteString.copyFromUtf8("a"))
                    .build()
                    .toByteString())
            .addRecords(
                Record.newBuilder()
                    .setOffsetDelta(7)
                    .setValue(ByteString.copyFromUtf8("b"))
                    .build()
                    .toByteString())
            .build();

    RecordBatch batch = RecordBatch.parseFrom(StoredBatch.of(10, 20, append).toByteArray());

    assertThat(batch.getRecordsList()).extracting(Record::getOffsetDelta).containsExactly(0, 1);
    assertThat(batch.getBaseOffset()).isEqualTo(10);
    assertThat(batch.getAppendTimeMs()).isEqualTo(20);
  }

  /** As the node stores a batch: into a direct buffer, behind the key already in it. */
  private static byte[] writtenToDirectBuffer(StoredBatch stored) {
    int keyLength = 3;
    ByteBuffer buffer = ByteBuffer.allocateDirect(keyLength + stored.size() + 5);
    buffer.position(keyLength);
    stored.writeTo(buffer);
    assertThat(buffer.position()).isEqualTo(keyLength + stored.size());
    byte[] written = new byte[stored.size()];
    buffer.get(keyLength, written);
    return written;
  }

  /** What apply built before: every record rebuilt with its delta, then the batch encoded. */
  private static byte[] byBuilders(long baseOffset, long appendTime, AppendRecords append)
      throws Exception {
    RecordBatch.Builder stored =
        RecordBatch.newBuilder()
            .setBaseOffset(baseOffset)
            .setAppendTimeMs(appendTime)
            .setProducerId(append.getProducerId())
            .setProducerEpoch(append.getProducerEpoch())
            .setBaseSequence(append.getBaseSequence())
            .setTransactional(append.getTransactional());
    for (int i = 0; i < append.getRecordsCount(); i++) {
      stored.addRecords(Record.parseFrom(append.getRecords(i)).toBuilder().setOffsetDelta(i));
    }
    return stored.build().toByteArray();
  }

  private static AppendRecords randomAppend(SplittableRandom random) {
    AppendRecords.Builder append =
        AppendRecords.newBuilder()
            .setProducerId(random.nextBoolean() ? 0 : random.nextLong(1L << 50))
            .setProducerEpoch(random.nextBoolean() ? 0 : random.nextInt(Short.MAX_VALUE))
            .setBaseSequence(random.nextBoolean() ? 0 : random.nextInt(Integer.MAX_VALUE))
            .setTransactional(random.nextBoolean());
    int count = 1 + random.nextInt(random.nextBoolean() ? 3 : 200);
    for (int i = 0; i < count; i++) {
      Record.Builder r = Record.newBuilder().setValue(bytes(random, random.nextInt(300)));
      // As our client sends them (none), already right, or wrong; or, as another encoder might
      // write them, a delta after the other fields or a zero delta written out in front.
      int delta = random.nextInt(5);
      switch (delta) {
        case 0, 3, 4 -> {}
        case 1 -> r.setOffsetDelta(i);
        default -> r.setOffsetDelta(random.nextInt(1_000));
      }
      if (random.nextBoolean()) {
        r.setTimestampMs(random.nextLong(1L << 42));
      }
      if (random.nextInt(3) > 0) {
        r.setKey(bytes(random, random.nextInt(20))); // empty keys included: present, not absent
      }
      for (int h = random.nextInt(3); h > 0; h--) {
        r.addHeaders(Header.newBuilder().setKey("h" + h).setValue(bytes(random, 5)));
      }
      ByteString encoded = r.build().toByteString();
      if (delta == 3) {
        encoded = encoded.concat(deltaField(random.nextInt(1_000)));
      } else if (delta == 4) {
        encoded = deltaField(0).concat(encoded);
      }
      append.addRecords(encoded);
    }
    return append.build();
  }

  /** An offset delta's field as protobuf writes it, except that a zero is written too. */
  private static ByteString deltaField(int delta) {
    ByteString.Output out = ByteString.newOutput();
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeTag(Record.OFFSET_DELTA_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
      coded.writeInt32NoTag(delta);
      coded.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteString();
  }

  private static ByteString bytes(SplittableRandom random, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return ByteString.copyFrom(b);
  }
}
