package dev.quorum.statemachine.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key encoding: a one-byte prefix per kind of key, then big-endian numbers so keys sort
 * numerically.
 */
public final class Keys {
  private Keys() {}

  public static byte[] of(byte prefix, long value) {
    return ByteBuffer.allocate(9).put(prefix).putLong(value).array();
  }

  public static byte[] of(byte prefix, long first, long second) {
    return ByteBuffer.allocate(17).put(prefix).putLong(first).putLong(second).array();
  }

  public static byte[] of(byte prefix, String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + bytes.length).put(prefix).put(bytes).array();
  }

  public static long longAt(byte[] key, int position) {
    return ByteBuffer.wrap(key).getLong(position);
  }

  public static boolean hasPrefix(byte[] key, byte prefix) {
    return key.length > 0 && key[0] == prefix;
  }

  public static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  public static byte[] longs(long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(8 * values.length);
    for (long value : values) {
      buffer.putLong(value);
    }
    return buffer.array();
  }
}
