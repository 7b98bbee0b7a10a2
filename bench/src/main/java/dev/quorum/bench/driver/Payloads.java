package dev.quorum.bench.driver;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** Record values: random bytes (nothing compresses them), optionally stamped with a send time. */
final class Payloads {
  private Payloads() {}

  static byte[] random(int size, long seed) {
    byte[] value = new byte[size];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      value[i] = (byte) random.nextInt(256);
    }
    return value;
  }

  /** A copy of {@code template} whose first 8 bytes carry {@code nanos}. */
  static byte[] stamped(byte[] template, long nanos) {
    byte[] value = template.clone();
    ByteBuffer.wrap(value).putLong(0, nanos);
    return value;
  }

  static long stampOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong(0);
  }
}
