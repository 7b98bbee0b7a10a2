package dev.quorum.cli;

/** Where shutdown hooks go: the JVM's in production, a recorder in tests. */
interface ShutdownHooks {
  /** Registers {@code hook}; false when the JVM is already shutting down. */
  boolean add(Thread hook);

  void remove(Thread hook);

  static ShutdownHooks jvm() {
    return new ShutdownHooks() {
      @Override
      public boolean add(Thread hook) {
        try {
          Runtime.getRuntime().addShutdownHook(hook);
          return true;
        } catch (IllegalStateException e) {
          return false; // already shutting down
        }
      }

      @Override
      public void remove(Thread hook) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down: the hook runs anyway
        }
      }
    };
  }
}
