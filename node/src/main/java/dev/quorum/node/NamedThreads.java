package dev.quorum.node;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code broker-node-<id>-<role>-<n>}, so thread dumps say whose they are. */
final class NamedThreads implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();

  NamedThreads(int nodeId, String role) {
    this.prefix = "broker-node-" + nodeId + "-" + role + "-";
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + count.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
