package dev.quorum.statemachine.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Direct buffers that record batches are encoded into on their way to RocksDB, kept for the next.
 *
 * <p>RocksDB's Java API copies a heap array into native memory before its write batch copies it
 * again; from a direct buffer it copies once. Encoded into a new array each time, the stored
 * batches were also about 30% of the bytes a node allocated under produce load. A new direct buffer
 * costs far more than a copy, so a few are kept: batches are encoded one at a time per partition,
 * and only as many at once as apply threads run.
 */
final class DirectBuffers {
  private static final int KEPT = 4;
  private static final int MIN_CAPACITY = 128 << 10;

  private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(KEPT);

  /** A cleared buffer of at least {@code capacity} bytes; give it back with {@link #release}. */
  ByteBuffer borrow(int capacity) {
    ByteBuffer buffer = free.poll();
    if (buffer == null || buffer.capacity() < capacity) {
      // A kept buffer too small is left to the garbage collector, which frees its memory.
      buffer = ByteBuffer.allocateDirect(Math.max(MIN_CAPACITY, roundUpToPowerOfTwo(capacity)));
    }
    return buffer.clear();
  }

  void release(ByteBuffer buffer) {
    free.offer(buffer);
  }

  private static int roundUpToPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }
}
