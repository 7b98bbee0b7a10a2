package dev.quorum.client.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a record just queued must wake the producer's sender thread, which parks until its next
 * deadline. It must when the record is due (its linger, counted from when it is queued, ends)
 * before the sender wakes by itself, or when enough bytes arrived since it parked to fill a
 * partition's batch; otherwise the record simply waits in the queue. Waking the sender for every
 * record cost the sending application a futex call and a context switch per record. (Kafka's
 * producer, likewise, wakes its sender only when a batch fills or a new one starts.)
 *
 * <p>The sender calls {@link #parking} and only then looks at its queue a last time before it
 * parks, while an appending thread queues its record before it asks {@link #mustWake}: so either
 * the appender sees the sender parking and wakes it if needed, or the sender sees the record.
 */
final class SenderWakeup {
  private final AtomicBoolean parked = new AtomicBoolean();
  private volatile long parkedUntilNanos;
  private volatile long roomBytes;
  private final AtomicLong appendedBytes = new AtomicLong();

  /**
   * The sender is about to park until {@code untilNanos} (unless woken); the fullest partition's
   * batch fills after {@code roomBytes} more bytes.
   */
  void parking(long untilNanos, long roomBytes) {
    this.roomBytes = Math.max(1, roomBytes);
    appendedBytes.set(0);
    parkedUntilNanos = untilNanos;
    parked.set(true);
  }

  /** The sender is awake again and will look at everything queued. */
  void awake() {
    parked.set(false);
  }

  /**
   * Called after queueing a record of {@code bytes} that must be sent by {@code dueNanos}. Bytes
   * count only while the sender is parked: an awake one sees every record before it parks again.
   */
  boolean mustWake(long dueNanos, int bytes) {
    if (!parked.get()) {
      return false;
    }
    long appended = appendedBytes.addAndGet(bytes);
    if (dueNanos - parkedUntilNanos < 0 || appended >= roomBytes) {
      // Only the first: woken, the sender looks at everything queued before it parks again, and
      // records that came before it got a core would each have woken it again.
      return parked.compareAndSet(true, false);
    }
    return false;
  }
}
