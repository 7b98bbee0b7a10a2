package dev.quorum.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.v1.Header;
import dev.quorum.protocol.v1.Record;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A node stores the records a producer sent without decoding them, so its check must refuse exactly
 * what a consumer's parser would fail on: a record it lets through is read by every consumer of the
 * partition for as long as the partition keeps it.
 */
class RecordEncodingTest {
  private static final long SEED = 0x7ec0_4d5eL;

  @Test
  void refusesExactlyWhatProtobufCannotParse() {
    SplittableRandom random = new SplittableRandom(SEED);
    int refused = 0;
    for (int run = 0; run < 20_000; run++) {
      byte[] bytes = mutate(randomRecord(random).toByteArray(), random);
      ByteString record = ByteString.copyFrom(bytes);

      boolean parses = parses(record);
      boolean passes = passes(record);

      assertThat(passes).as("seed %d, run %d: %s", SEED, run, record).isEqualTo(parses);
      refused += passes ? 0 : 1;
    }
    // The mutations must reach both outcomes, or the comparison proves little.
    assertThat(refused).isBetween(2_000, 18_000);
  }

  @Test
  void refusesAHeaderKeyThatIsNotUtf8() {
    byte[] header = {0x0a, 0x02, (byte) 0xc3, 0x28}; // key: a two-byte sequence broken off
    ByteString record =
        Record.newBuilder()
            .setValue(ByteString.copyFromUtf8("v"))
            .build()
            .toByteString()
            .concat(ByteString.copyFrom(new byte[] {0x2a, (byte) header.length}))
            .concat(ByteString.copyFrom(header));

    assertThatThrownBy(() -> RecordEncoding.check(record))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void refusesARecordCutShort() {
    ByteString whole =
        Record.newBuilder().setValue(ByteString.copyFromUtf8("a value")).build().toByteString();

    assertThatThrownBy(() -> RecordEncoding.check(whole.substring(0, whole.size() - 1)))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("truncated");
  }

  private static boolean parses(ByteString record) {
    try {
      Record.parseFrom(record);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static boolean passes(ByteString record) {
    try {
      RecordEncoding.check(record);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static Record randomRecord(SplittableRandom random) {
    Record.Builder r = Record.newBuilder().setValue(bytes(random, random.nextInt(12)));
    if (random.nextBoolean()) {
      r.setTimestampMs(random.nextLong(1L << 42));
    }
    if (random.nextBoolean()) {
      r.setKey(bytes(random, random.nextInt(6)));
    }
    for (int h = random.nextInt(3); h > 0; h--) {
      r.addHeaders(Header.newBuilder().setKey("k\u00e9" + h).setValue(bytes(random, 3)));
    }
    return r.build();
  }

  /** Changes, inserts or removes a few bytes, or cuts the end off. */
  private static byte[] mutate(byte[] bytes, SplittableRandom random) {
    byte[] out = bytes;
    for (int m = 1 + random.nextInt(3); m > 0; m--) {
      int at = random.nextInt(out.length + 1);
      switch (random.nextInt(4)) {
        case 0 -> {
          if (at < out.length) {
            out[at] = (byte) random.nextInt(256);
          }
        }
        case 1 -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = (byte) random.nextInt(256);
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
        case 2 -> {
          if (at < out.length) {
            byte[] shorter = new byte[out.length - 1];
            System.arraycopy(out, 0, shorter, 0, at);
            System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
            out = shorter;
          }
        }
        default -> out = java.util.Arrays.copyOf(out, at);
      }
    }
    return out;
  }

  private static ByteString bytes(SplittableRandom random, int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }
}
