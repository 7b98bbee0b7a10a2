package dev.quorum.client.internal;

/** Kafka's murmur2 and partition choice, so keyed records land where Kafka would put them. */
final class Murmur2 {
  private Murmur2() {}

  /** Exactly Kafka's {@code Utils.murmur2}. */
  static int hash(byte[] data) {
    int length = data.length;
    int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = length & ~3;
    switch (length % 4) {
      case 3:
        h ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[tail] & 0xff;
        h *= m;
        break;
      default:
        break;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }

  /** Kafka's {@code Utils.toPositive}: clears the sign bit (not {@code Math.abs}). */
  static int toPositive(int n) {
    return n & 0x7fffffff;
  }

  /** Kafka's default partitioner for keyed records. */
  static int partition(byte[] key, int partitionCount) {
    return toPositive(hash(key)) % partitionCount;
  }
}
