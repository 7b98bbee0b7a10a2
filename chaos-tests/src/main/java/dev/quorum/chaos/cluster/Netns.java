package dev.quorum.chaos.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs host commands ({@code ip}, {@code nft}, {@code kill}) for the process tier. Every command
 * either succeeds or throws with its output, so a fault that silently did nothing cannot pass for
 * one that worked.
 */
final class Netns {
  private Netns() {}

  static String run(String stdin, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }

  static void runQuietly(String... command) {
    try {
      run(null, command);
    } catch (IllegalStateException e) {
      // cleanup of something that may already be gone
    }
  }

  /**
   * Why this host cannot run the process tier, or null if it can: it needs root (or a user
   * namespace), {@code ip} and {@code nft}.
   */
  static String unavailableReason() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("ip", "nft")) {
      try {
        run(null, "sh", "-c", "command -v " + tool);
      } catch (IllegalStateException e) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      return "missing " + missing + " (install iproute2 and nftables; .ci/run does)";
    }
    String probe = "qcprobe" + ProcessHandle.current().pid() % 100000;
    try {
      run(null, "ip", "netns", "add", probe);
    } catch (IllegalStateException e) {
      return "cannot create network namespaces here (root needed): " + e.getMessage();
    } finally {
      runQuietly("ip", "netns", "del", probe);
    }
    return null;
  }
}
