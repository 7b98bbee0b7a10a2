package dev.quorum.chaos.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process tier: every node is its own JVM, launched the way {@code scripts/cluster} launches
 * it, inside its own network namespace ({@code qc<id>n<i>}) joined to a private bridge. This JVM
 * (the clients and the nemesis) stays in the root namespace and reaches the nodes over the bridge.
 * Partitions are nft rules inside the receiving node's namespace; kill is SIGKILL; pause is
 * SIGSTOP/SIGCONT; clock skew goes through libfaketime when it is installed. Only addresses inside
 * the namespaces this class creates are used, and {@link #close} removes them all.
 */
public final class ProcessCluster implements ChaosCluster {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessCluster.class);
  private static final Path FAKETIME_LIB = findFaketime();
  private static final int CLIENT_PORT = 7000;
  private static final int RAFT_PORT = 7100;
  private static final int SNAPSHOT_THRESHOLD = 20;

  private final Path root;
  private final Path repo;
  private final String id;
  private final String subnet;
  private final String clusterId;
  private final int size;
  private final List<String> seededBugs;
  private final Process[] processes;
  private final List<Set<Integer>> blockedFrom = new ArrayList<>();
  private final boolean faketime;
  private boolean clientsIsolated;
  private Thread cleanupHook;
  private boolean closed;

  /** Thrown when the host cannot make namespaces; callers skip with its message. */
  public static final class UnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message) {
      super(message);
    }
  }

  private ProcessCluster(
      Path root, int size, long seed, List<String> seededBugs, boolean clockFaults) {
    this.root = root;
    this.repo = repository();
    SplittableRandom r = new SplittableRandom(seed ^ System.nanoTime());
    this.id = Integer.toHexString(0x1000 + r.nextInt(0xefff));
    this.subnet = "10.213." + (1 + r.nextInt(250));
    this.clusterId = "chaos-" + id;
    this.size = size;
    this.seededBugs = List.copyOf(seededBugs);
    this.processes = new Process[size];
    // Only when a scenario skews clocks: under libfaketime every clock read is a library call.
    this.faketime = clockFaults && FAKETIME_LIB != null;
    for (int i = 0; i < size; i++) {
      blockedFrom.add(new HashSet<>());
    }
  }

  /** libfaketime as Debian installs it (/usr/lib/<arch>/faketime/), or null. */
  private static Path findFaketime() {
    try (var dirs = Files.newDirectoryStream(Path.of("/usr/lib"))) {
      for (Path dir : dirs) {
        Path lib = dir.resolve("faketime/libfaketime.so.1");
        if (Files.exists(lib)) {
          return lib;
        }
      }
    } catch (IOException e) {
      // no /usr/lib: no faketime
    }
    return null;
  }

  /** Whether this host can run the process tier; null if it can, else why not. */
  public static String unavailableReason() {
    return Netns.unavailableReason();
  }

  /** Like {@link #unavailableReason()}, for scenarios that also skew clocks. */
  public static String unavailableReason(boolean clockFaults) {
    String reason = Netns.unavailableReason();
    if (reason == null && clockFaults && FAKETIME_LIB == null) {
      return "clock faults need libfaketime (scripts/chaos-deps installs it), or leave clock out"
          + " of --nemesis";
    }
    return reason;
  }

  /**
   * Creates the namespaces and starts every node. With {@code clockFaults} the nodes run under
   * libfaketime so that {@link #skewClock} works (see {@link #unavailableReason(boolean)}).
   */
  public static ProcessCluster start(
      Path root, int size, long seed, List<String> seededBugs, boolean clockFaults) {
    String reason = Netns.unavailableReason();
    if (reason != null) {
      throw new UnavailableException("process tier skipped: " + reason);
    }
    ProcessCluster cluster = new ProcessCluster(root, size, seed, seededBugs, clockFaults);
    // Ctrl-C on scripts/chaos must not leave node JVMs or namespaces behind.
    Thread cleanup = new Thread(cluster::close, "chaos-process-cluster-cleanup");
    cluster.cleanupHook = cleanup;
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      cluster.createNetwork();
      for (int i = 1; i <= size; i++) {
        cluster.restart(i);
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static Path repository() {
    String configured = System.getProperty("quorum.repo");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath();
    }
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("node/target/node.jar"))) {
        return p;
      }
    }
    throw new IllegalStateException("node/target/node.jar not found; build first (./mvnw install)");
  }

  private String ns(int node) {
    return "qc" + id + "n" + node;
  }

  private String bridge() {
    return "qc" + id + "br";
  }

  private String address(int node) {
    return subnet + "." + node;
  }

  private void createNetwork() {
    Netns.run(null, "ip", "link", "add", bridge(), "type", "bridge");
    Netns.run(null, "ip", "addr", "add", subnet + ".254/24", "dev", bridge());
    Netns.run(null, "ip", "link", "set", bridge(), "up");
    for (int i = 1; i <= size; i++) {
      String veth = "qc" + id + "v" + i;
      Netns.run(null, "ip", "netns", "add", ns(i));
      Netns.run(
          null, "ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns(i));
      Netns.run(null, "ip", "link", "set", veth, "master", bridge(), "up");
      Netns.run(null, "ip", "-n", ns(i), "addr", "add", address(i) + "/24", "dev", "eth0");
      Netns.run(null, "ip", "-n", ns(i), "link", "set", "eth0", "up");
      Netns.run(null, "ip", "-n", ns(i), "link", "set", "lo", "up");
    }
  }

  @Override
  public Set<Fault> supports() {
    EnumSet<Fault> s =
        EnumSet.of(
            Fault.KILL,
            Fault.PAUSE,
            Fault.PARTITION,
            Fault.ISOLATE_CLIENTS,
            Fault.TRUNCATE_LOG,
            Fault.FLIP_BITS);
    if (faketime) {
      s.add(Fault.CLOCK_SKEW);
    }
    return s;
  }

  @Override
  public String clusterId() {
    return clusterId;
  }

  @Override
  public String bootstrap() {
    StringJoiner list = new StringJoiner(",");
    for (int i = 1; i <= size; i++) {
      list.add(address(i) + ":" + CLIENT_PORT);
    }
    return list.toString();
  }

  @Override
  public List<Integer> nodeIds() {
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      ids.add(i);
    }
    return ids;
  }

  @Override
  public synchronized void kill(int node) {
    Process p = processes[node - 1];
    processes[node - 1] = null;
    if (p != null) {
      p.destroyForcibly(); // ip netns exec execs in place: this is SIGKILL to the node's JVM
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGTERM (the node's shutdown hook closes Ratis and RocksDB); SIGKILL after 60 s. */
  @Override
  public synchronized boolean stopCleanly(int node) {
    Process p = processes[node - 1];
    if (p == null || !p.isAlive()) {
      processes[node - 1] = null;
      return false; // it was not running: whatever it applied last may not be on disk
    }
    signal(node, "CONT");
    p.destroy(); // ip netns exec execs in place: SIGTERM to the node's JVM
    try {
      if (p.waitFor(60, TimeUnit.SECONDS)) {
        processes[node - 1] = null;
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.warn("node {} did not stop within 60 s of SIGTERM; killing it", node);
    kill(node);
    return false;
  }

  @Override
  public Path dataDirectory(int node) {
    return root.resolve("node-" + node).resolve("data");
  }

  @Override
  public synchronized void restart(int node) {
    if (processes[node - 1] != null && processes[node - 1].isAlive()) {
      return;
    }
    Path dir = root.resolve("node-" + node);
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(dir.resolve("tmp"));
      Files.writeString(
          dir.resolve("node.properties"), properties(node, dir), StandardCharsets.UTF_8);
      if (!Files.exists(dir.resolve("faketime"))) {
        Files.writeString(dir.resolve("faketime"), "+0\n", StandardCharsets.UTF_8);
      }
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns(node)));
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx384m");
      if (Runtime.getRuntime().availableProcessors() < 4) {
        // Nodes here live a minute and restart often: on few cores C2 would still be compiling
        // the hot path (at a quarter to half a core per node) when the faults start.
        command.add("-XX:TieredStopAtLevel=1");
      }
      command.add("-cp");
      command.add(
          repo.resolve("node/target/node.jar") + ":" + repo.resolve("node/target/lib") + "/*");
      command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
      command.add("-Dlogback.configurationFile=" + repo.resolve("scripts/conf/logback.xml"));
      if (!seededBugs.isEmpty()) {
        command.add("-Dquorum.seeded-bugs=" + String.join(",", seededBugs));
      }
      command.addAll(
          List.of(
              "dev.quorum.node.BrokerNode", "--config", dir.resolve("node.properties").toString()));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
      if (faketime) {
        builder.environment().put("LD_PRELOAD", FAKETIME_LIB.toString());
        builder.environment().put("FAKETIME_TIMESTAMP_FILE", dir.resolve("faketime").toString());
        builder.environment().put("FAKETIME_CACHE_DURATION", "1");
        builder.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        // libfaketime 0.9.10 turns its "monotonic fix" on for this glibc, and with it the JVM's
        // timed parks and waits return at once (a park of 10 ms took 0 ms, sleeps took twice as
        // long, a thread spun at full CPU), so Raft leaders missed heartbeats and lost leadership.
        builder.environment().put("FAKETIME_FORCE_MONOTONIC_FIX", "0");
      }
      processes[node - 1] = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + node, e);
    }
  }

  private String properties(int node, Path dir) {
    StringJoiner peers = new StringJoiner(",");
    for (int i = 1; i <= size; i++) {
      peers.add(i + "@" + address(i) + ":" + RAFT_PORT + ":" + CLIENT_PORT);
    }
    return String.join(
        "\n",
        "node.id=" + node,
        "cluster.id=" + clusterId,
        "data.dir=" + dir.resolve("data"),
        "host=" + address(node),
        "client.port=" + CLIENT_PORT,
        "raft.port=" + RAFT_PORT,
        "cluster.peers=" + peers,
        // With unflushed-snapshot-index, snapshots within a short try, so a kill -9 can show it.
        seededBugs.contains("unflushed-snapshot-index")
            ? "raft.snapshot.threshold.entries=" + SNAPSHOT_THRESHOLD
            : "",
        "");
  }

  @Override
  public synchronized boolean isRunning(int node) {
    return processes[node - 1] != null && processes[node - 1].isAlive();
  }

  @Override
  public synchronized void pause(int node) {
    signal(node, "STOP");
  }

  @Override
  public synchronized void resume(int node) {
    signal(node, "CONT");
  }

  private void signal(int node, String signal) {
    Process p = processes[node - 1];
    if (p != null && p.isAlive()) {
      Netns.run(null, "kill", "-" + signal, Long.toString(p.pid()));
    }
  }

  @Override
  public synchronized void blockLink(int from, int to) {
    blockedFrom.get(to - 1).add(from);
    applyRules(to);
  }

  @Override
  public synchronized void unblockLink(int from, int to) {
    blockedFrom.get(to - 1).remove(from);
    applyRules(to);
  }

  /** Replaces node {@code to}'s nft table atomically: drop input from every blocked source. */
  private void applyRules(int to) {
    StringBuilder script = new StringBuilder("table inet qchaos\ndelete table inet qchaos\n");
    Set<Integer> sources = blockedFrom.get(to - 1);
    if (!sources.isEmpty() || clientsIsolated) {
      StringJoiner addresses = new StringJoiner(", ");
      sources.forEach(s -> addresses.add(address(s)));
      if (clientsIsolated) {
        addresses.add(subnet + ".254"); // the bridge: where this JVM's clients come from
      }
      script
          .append("table inet qchaos {\n  chain input {\n")
          .append("    type filter hook input priority 0; policy accept;\n")
          .append("    ip saddr { ")
          .append(addresses)
          .append(" } drop\n  }\n}\n");
    }
    Netns.run(script.toString(), "ip", "netns", "exec", ns(to), "nft", "-f", "-");
  }

  @Override
  public synchronized void isolateClients(boolean isolated) {
    clientsIsolated = isolated;
    for (int i = 1; i <= size; i++) {
      applyRules(i);
    }
  }

  @Override
  public synchronized void truncateNewestSegments(int node, long bytes) {
    if (isRunning(node)) {
      throw new IllegalStateException("node " + node + " must be stopped to damage its log");
    }
    LogSegments.truncateNewest(root.resolve("node-" + node).resolve("data"), bytes);
  }

  @Override
  public synchronized void flipBitsInNewestSegments(int node, long seed) {
    if (isRunning(node)) {
      throw new IllegalStateException("node " + node + " must be stopped to damage its log");
    }
    LogSegments.flipBitsInNewest(root.resolve("node-" + node).resolve("data"), seed);
  }

  @Override
  public void transportFault(int node, Fault fault, double probability, long delayMillis) {
    throw new UnsupportedOperationException("transport hooks exist only in the in-process tier");
  }

  @Override
  public void clearTransportFault(int node, Fault fault) {}

  @Override
  public void skewClock(int node, long offsetMillis) {
    if (!faketime) {
      throw new UnsupportedOperationException(
          "libfaketime is not installed (apt-get install faketime)");
    }
    long seconds = offsetMillis / 1000;
    try {
      Files.writeString(
          root.resolve("node-" + node).resolve("faketime"),
          (seconds >= 0 ? "+" : "") + seconds + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void healAll() {
    boolean wasIsolated = clientsIsolated;
    clientsIsolated = false;
    for (int i = 1; i <= size; i++) {
      if (!blockedFrom.get(i - 1).isEmpty() || wasIsolated) {
        blockedFrom.get(i - 1).clear();
        applyRules(i);
      }
      signal(i, "CONT");
      if (faketime) {
        skewClock(i, 0);
      }
      restart(i);
    }
  }

  @Override
  public Path logDirectory() {
    return root;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (cleanupHook != null && Thread.currentThread() != cleanupHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanupHook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or will run this method (a no-op then)
      }
    }
    for (int i = 1; i <= size; i++) {
      signal(i, "CONT");
      kill(i);
    }
    // processes first: a live process keeps its namespace's veth alive
    for (int i = 1; i <= size; i++) {
      Netns.runQuietly("ip", "netns", "del", ns(i));
    }
    Netns.runQuietly("ip", "link", "del", bridge());
    LOG.info("process cluster {} removed", id);
  }
}
