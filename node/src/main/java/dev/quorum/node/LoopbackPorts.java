package dev.quorum.node;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports on 127.0.0.1 for nodes started in one JVM (tests, the chaos suite's in-process tier),
 * whose peers must know every address before the first node starts.
 *
 * <p>A port the kernel hands out for {@code bind(0)} lies in its ephemeral range, the range it also
 * takes the local ports of outgoing connections from. Between picking a node's port and the node
 * binding it (or while a node is stopped for a restart), the other nodes keep connecting to their
 * peers, and one such connection could take that port: the node then fails to bind it. Ports are
 * therefore picked below the ephemeral range where there is room, and never twice in one JVM.
 */
public final class LoopbackPorts {
  private static final int LOWEST = 10_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  /** A port nothing listens on now, never returned before by this JVM. */
  public static int pick() throws IOException {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port =
          below > LOWEST + 1_000 ? ThreadLocalRandom.current().nextInt(LOWEST, below) : anyFree();
      if (HANDED_OUT.add(port) && free(port)) {
        return port;
      }
    }
    throw new IOException("found no free port on the loopback address");
  }

  private static int ephemeralLow() {
    try {
      return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0; // not Linux: take what bind(0) gives
    }
  }

  private static int anyFree() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean free(int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (BindException e) {
      return false;
    }
  }
}
