package dev.quorum.client.internal;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads: a forgotten client must not keep the JVM alive. */
final class ClientThreads {
  private ClientThreads() {}

  static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
