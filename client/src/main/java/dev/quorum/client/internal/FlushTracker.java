package dev.quorum.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code flush()} waits for: every record whose {@code send} returned before the flush began,
 * done. Records count into the current generation; a flush closes it, opens the next, and waits for
 * the closed one and every one before it. Two counter updates per record, where a set of pending
 * futures cost two hash-table updates on a table as large as the buffer.
 */
final class FlushTracker {
  /** The records sent while it was current. */
  static final class Generation {
    // Records of this generation not done yet, plus one while the generation is current.
    private final AtomicLong undone = new AtomicLong(1);
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final CompletableFuture<Void> allDone;

    private Generation(CompletableFuture<Void> earlier) {
      this.allDone = earlier == null ? drained : drained.thenCombine(earlier, (a, b) -> null);
    }

    /** One record of this generation is done. */
    void done() {
      // A record that joined as the generation closed may take it from 0 to 1 and back: it raced
      // with the flush, which need not wait for it, and completing again is a no-op.
      if (undone.decrementAndGet() == 0) {
        drained.complete(null);
      }
    }
  }

  private volatile Generation current = new Generation(null);

  /** Counts a record as sent; call {@link Generation#done} on the result once it is done. */
  Generation sent() {
    Generation g = current;
    g.undone.incrementAndGet();
    return g;
  }

  /** Completes once every record counted before this call is done. */
  synchronized CompletableFuture<Void> close() {
    Generation closed = current;
    current = new Generation(closed.allDone);
    closed.done();
    return closed.allDone;
  }
}
