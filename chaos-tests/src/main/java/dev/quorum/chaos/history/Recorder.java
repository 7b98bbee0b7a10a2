package dev.quorum.chaos.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collects a history from many client threads. Times are taken from {@link System#nanoTime} at the
 * moment of recording, relative to the recorder's creation, so the order of the list is the real
 * time order of the events.
 */
public final class Recorder {
  private final long start = System.nanoTime();
  private final List<Op> ops = new ArrayList<>();
  private final AtomicInteger processes = new AtomicInteger();

  /** A fresh process id: used for a new client, and after every indeterminate completion. */
  public int newProcess() {
    return processes.incrementAndGet();
  }

  public long now() {
    return System.nanoTime() - start;
  }

  /** Records {@code op} stamped with the current time and returns the stamped op. */
  public synchronized Op record(Op op) {
    Op stamped =
        new Op(
            ops.size(),
            op.type(),
            op.process(),
            op.f(),
            now(),
            op.writes(),
            op.reads(),
            op.group(),
            op.commits(),
            op.commitTime(),
            op.error());
    ops.add(stamped);
    return stamped;
  }

  public synchronized History history() {
    return new History(new ArrayList<>(ops));
  }
}
