package dev.quorum.node;

import java.util.concurrent.ForkJoinPool;

/**
 * Ratis runs some steps on CompletableFuture's default executor: a follower's log append, for one.
 * The JDK backs that executor with the common ForkJoinPool only when the pool's parallelism is at
 * least 2, and the pool's default is one less than the cores; on a machine of 2 cores every such
 * step started a thread of its own, one for each entry a follower appended (60 a second at 100
 * records/s).
 */
final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /**
   * A follower's append task waits while its group's log queue is full, so a few groups behind on
   * their disk must not hold every worker of the pool: at least this many.
   */
  private static final int MIN_PARALLELISM = 4;

  /**
   * Asks for a parallelism of at least {@value #MIN_PARALLELISM} unless the operator chose one. The
   * JDK reads the setting when the pool is first used, so this must run before anything in the JVM
   * uses it. The pool starts workers only while tasks wait for one, and idle ones end.
   */
  static void requestParallelism() {
    if (System.getProperty(PARALLELISM) == null
        && Runtime.getRuntime().availableProcessors() - 1 < MIN_PARALLELISM) {
      System.setProperty(PARALLELISM, Integer.toString(MIN_PARALLELISM));
    }
  }

  /** Whether CompletableFuture's default executor is the shared pool, not a thread per task. */
  static boolean pooled() {
    return ForkJoinPool.getCommonPoolParallelism() > 1;
  }
}
