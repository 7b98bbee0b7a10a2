package dev.quorum.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@code scripts/cluster} and {@code scripts/broker} against one cluster directory, the way
 * a user would, and remembers every node PID it saw so a test can prove that none outlived it.
 */
final class ScriptCluster {
  /** Failsafe runs with the module directory as the working directory. */
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  final Path dir;
  final int nodes;
  final int basePort;
  private final Path outputDir;
  private final Set<Long> seenPids = new LinkedHashSet<>();
  private int commandCount;

  ScriptCluster(Path workDir, int nodes) {
    this.dir = workDir.resolve("cluster");
    this.outputDir = workDir.resolve("output");
    this.nodes = nodes;
    this.basePort = freeBasePort(nodes);
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return String.join(" ", command)
          + "\n  exit "
          + exitCode
          + "\n  stdout:\n"
          + indent(stdout)
          + "\n  stderr:\n"
          + indent(stderr);
    }
  }

  Result cluster(Duration timeout, String... args) {
    return cluster(timeout, Map.of(), args);
  }

  /**
   * Runs {@code scripts/cluster ARGS --dir DIR}. A {@code start} also gets this fixture's {@code
   * --nodes} and {@code --base-port} unless ARGS name them, so the cluster listens where {@link
   * #bootstrap()} says.
   */
  Result cluster(Duration timeout, Map<String, String> env, String... args) {
    List<String> command =
        new ArrayList<>(List.of("bash", REPO.resolve("scripts/cluster").toString()));
    command.addAll(List.of(args));
    if (args.length > 0 && args[0].equals("start")) {
      if (!command.contains("--nodes")) {
        command.addAll(List.of("--nodes", Integer.toString(nodes)));
      }
      if (!command.contains("--base-port")) {
        command.addAll(List.of("--base-port", Integer.toString(basePort)));
      }
    }
    command.addAll(List.of("--dir", dir.toString()));
    Result result = run(command, "", timeout, env);
    rememberPids();
    return result;
  }

  Result broker(Duration timeout, String stdin, String... args) {
    List<String> command =
        new ArrayList<>(List.of("bash", REPO.resolve("scripts/broker").toString()));
    command.addAll(List.of(args));
    return run(command, stdin, timeout, Map.of());
  }

  /**
   * The client addresses of all nodes, as {@code scripts/cluster start} writes them to
   * DIR/bootstrap.
   */
  String bootstrap() {
    List<String> addresses = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      addresses.add("127.0.0.1:" + (basePort + n));
    }
    return String.join(",", addresses);
  }

  /** PIDs of nodes this fixture ever saw in a PID file that still run (zombies count as gone). */
  List<Long> livePids() {
    rememberPids();
    return seenPids.stream().filter(ScriptCluster::isRunning).toList();
  }

  /** Last resort after a failed stop: SIGKILL whatever is left, so no node outlives the test. */
  void killLeftovers() {
    for (long pid : livePids()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** The tail of every node log, for assertion messages. */
  String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (int n = 1; n <= nodes; n++) {
      Path log = dir.resolve("node-" + n).resolve("node.log");
      sb.append("\n==> ").append(log).append(" <==\n");
      try {
        List<String> lines =
            Files.exists(log) ? Files.readAllLines(log, UTF_8) : List.of("(no log)");
        lines
            .subList(Math.max(0, lines.size() - 150), lines.size())
            .forEach(line -> sb.append(line).append('\n'));
      } catch (IOException | UncheckedIOException e) {
        sb.append("(unreadable: ").append(e).append(")\n");
      }
    }
    return sb.toString();
  }

  private Result run(
      List<String> command, String stdin, Duration timeout, Map<String, String> extraEnv) {
    int id = ++commandCount;
    Path in = outputDir.resolve(id + ".in");
    Path out = outputDir.resolve(id + ".out");
    Path err = outputDir.resolve(id + ".err");
    try {
      Files.writeString(in, stdin, UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(REPO.toFile())
              .redirectInput(in.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Map<String, String> env = builder.environment();
      env.put("QUORUM_SKIP_BUILD", "1");
      env.put("QUORUM_CLUSTER_DIR", dir.toString());
      env.remove("QUORUM_BOOTSTRAP");
      env.putAll(extraEnv);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\nstdout:\n"
                + Files.readString(out, UTF_8)
                + "\nstderr:\n"
                + Files.readString(err, UTF_8)
                + diagnostics());
      }
      return new Result(
          command, process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  private void rememberPids() {
    for (int n = 1; n <= nodes; n++) {
      Path pidFile = dir.resolve("node-" + n).resolve("node.pid");
      try {
        String text = Files.readString(pidFile, UTF_8).trim();
        if (!text.isEmpty()) {
          seenPids.add(Long.parseLong(text));
        }
      } catch (IOException | NumberFormatException e) {
        // no PID file: the node is not running (or the script is rewriting it)
      }
    }
  }

  static boolean isRunning(long pid) {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), UTF_8);
        // state follows the parenthesised command name; Z = zombie, X = dead
        String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return !state.equals("Z") && !state.equals("X");
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /**
   * A base port P such that P+1..P+n (client) and P+101..P+100+n (raft) are free on 127.0.0.1,
   * chosen at random so parallel builds on one machine rarely pick the same range.
   */
  static int freeBasePort(int nodes) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(3_000);
      if (allFree(base, nodes)) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range on 127.0.0.1");
  }

  private static boolean allFree(int base, int nodes) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int n = 1; n <= nodes; n++) {
        for (int port : new int[] {base + n, base + 100 + n}) {
          ServerSocket socket = new ServerSocket();
          held.add(socket);
          socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  Map<String, String> readClusterEnv() {
    Map<String, String> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(dir.resolve("cluster.env"), UTF_8)) {
        int eq = line.indexOf('=');
        if (!line.startsWith("#") && eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }

  private static String indent(String text) {
    return text.isEmpty() ? "    (empty)" : "    " + text.strip().replace("\n", "\n    ");
  }
}
