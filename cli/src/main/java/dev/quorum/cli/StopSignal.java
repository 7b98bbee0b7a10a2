package dev.quorum.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C / SIGTERM into a request for a command's loop to stop, and holds the JVM's shutdown
 * until the loop has finished: a consumer must be closed by the thread that uses it (it is not
 * thread-safe), and closing a group member commits its offsets and leaves the group, which the
 * process must not be killed in the middle of.
 */
final class StopSignal implements AutoCloseable {
  private final ShutdownHooks hooks;
  private final Duration grace;
  private final Runnable onAbandoned;
  private final Thread hook;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final boolean registered;
  private volatile boolean requested;

  /**
   * Registers the hook.
   *
   * @param grace how long shutdown waits for the loop before giving up on it
   * @param onAbandoned runs in the hook when the loop did not finish within the grace period
   */
  StopSignal(ShutdownHooks hooks, Duration grace, Runnable onAbandoned) {
    this.hooks = hooks;
    this.grace = grace;
    this.onAbandoned = onAbandoned;
    this.hook = new Thread(this::onShutdown, "quorum-cli-shutdown");
    this.registered = hooks.add(hook);
    // Registration fails only when shutdown has already begun: stop at once.
    this.requested = !registered;
  }

  /** True once the process is shutting down: the loop should stop and clean up. */
  boolean requested() {
    return requested;
  }

  /** Marks the loop finished (releasing a waiting shutdown) and unregisters the hook. */
  @Override
  public void close() {
    finished.countDown();
    if (registered) {
      hooks.remove(hook);
    }
  }

  private void onShutdown() {
    requested = true;
    boolean done;
    try {
      done = finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    if (!done) {
      onAbandoned.run();
    }
  }
}
