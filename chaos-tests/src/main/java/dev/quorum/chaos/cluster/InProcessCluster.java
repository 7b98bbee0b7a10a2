package dev.quorum.chaos.cluster;

import dev.quorum.node.EmbeddedBroker;
import dev.quorum.node.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node in this JVM on 127.0.0.1 with ephemeral ports, each the real broker node with its own
 * data directory, Ratis server and RocksDB. Faults: stop and restart a node on its data (a crash
 * without losing the page cache), one-way Raft link cuts, and transport faults in front of each
 * node's broker API. Pauses and clock skew need separate processes (the process tier).
 */
public final class InProcessCluster implements ChaosCluster {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessCluster.class);

  private final Path root;
  private final String clusterId;
  private final int[][] ports;
  private final EmbeddedBroker[] nodes;
  private final TransportFaults[] transport;
  private final ScheduledExecutorService scheduler;
  private final RaftLinks links;

  public InProcessCluster(Path root, int size, long seed) {
    this.root = root;
    this.clusterId = "chaos-" + Long.toHexString(seed) + "-" + Long.toHexString(System.nanoTime());
    this.ports = new int[size][];
    this.nodes = new EmbeddedBroker[size];
    this.transport = new TransportFaults[size];
    this.scheduler = Executors.newScheduledThreadPool(1, r -> new Thread(r, "chaos-delays"));
    this.links = new RaftLinks();
    try {
      for (int i = 0; i < size; i++) {
        ports[i] = new int[] {freePort(), freePort()};
        transport[i] = new TransportFaults(scheduler, seed * 31 + i);
      }
      for (int id = 1; id <= size; id++) {
        restart(id);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public Set<Fault> supports() {
    return EnumSet.of(
        Fault.KILL,
        Fault.PARTITION,
        Fault.DROP_REQUEST,
        Fault.DROP_REPLY,
        Fault.DELAY,
        Fault.DUPLICATE,
        Fault.ISOLATE_CLIENTS,
        Fault.TRUNCATE_LOG,
        Fault.FLIP_BITS);
  }

  @Override
  public String clusterId() {
    return clusterId;
  }

  @Override
  public String bootstrap() {
    StringJoiner list = new StringJoiner(",");
    for (int[] p : ports) {
      list.add("127.0.0.1:" + p[0]);
    }
    return list.toString();
  }

  @Override
  public List<Integer> nodeIds() {
    List<Integer> ids = new ArrayList<>();
    for (int id = 1; id <= nodes.length; id++) {
      ids.add(id);
    }
    return ids;
  }

  @Override
  public synchronized void kill(int id) {
    EmbeddedBroker node = nodes[id - 1];
    nodes[id - 1] = null;
    if (node != null) {
      node.close();
    }
  }

  @Override
  public synchronized void restart(int id) {
    if (nodes[id - 1] != null) {
      return;
    }
    try {
      nodes[id - 1] = EmbeddedBroker.start(properties(id), List.of(transport[id - 1]));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + id, e);
    }
  }

  @Override
  public synchronized boolean isRunning(int id) {
    return nodes[id - 1] != null;
  }

  /** {@link #kill} closes the node: Ratis and RocksDB shut down as on a clean stop. */
  @Override
  public boolean stopCleanly(int id) {
    kill(id);
    return true;
  }

  @Override
  public Path dataDirectory(int id) {
    return root.resolve("node-" + id);
  }

  @Override
  public void pause(int id) {
    throw new UnsupportedOperationException("pausing needs one process per node");
  }

  @Override
  public void resume(int id) {
    throw new UnsupportedOperationException("pausing needs one process per node");
  }

  @Override
  public void blockLink(int from, int to) {
    links.block(from, to);
  }

  @Override
  public void unblockLink(int from, int to) {
    links.unblock(from, to);
  }

  @Override
  public void transportFault(int id, Fault fault, double probability, long delayMillis) {
    transport[id - 1].set(fault, probability, delayMillis);
  }

  @Override
  public void clearTransportFault(int id, Fault fault) {
    transport[id - 1].clear(fault);
  }

  @Override
  public void skewClock(int id, long offsetMillis) {
    throw new UnsupportedOperationException("clock skew needs one process per node");
  }

  @Override
  public void isolateClients(boolean isolated) {
    // Every request from outside reaches a node through its broker API; Raft traffic does not.
    for (TransportFaults t : transport) {
      if (isolated) {
        t.set(Fault.DROP_REQUEST, 1.0, 0);
      } else {
        t.clear(Fault.DROP_REQUEST);
      }
    }
  }

  @Override
  public synchronized void truncateNewestSegments(int id, long bytes) {
    if (nodes[id - 1] != null) {
      throw new IllegalStateException("node " + id + " must be stopped to damage its log");
    }
    LogSegments.truncateNewest(root.resolve("node-" + id), bytes);
  }

  @Override
  public synchronized void flipBitsInNewestSegments(int id, long seed) {
    if (nodes[id - 1] != null) {
      throw new IllegalStateException("node " + id + " must be stopped to damage its log");
    }
    LogSegments.flipBitsInNewest(root.resolve("node-" + id), seed);
  }

  @Override
  public void healAll() {
    links.clear();
    for (TransportFaults t : transport) {
      t.clearAll();
    }
    for (int id = 1; id <= nodes.length; id++) {
      restart(id);
    }
  }

  private Properties properties(int id) {
    Properties p = new Properties();
    p.setProperty("node.id", String.valueOf(id));
    p.setProperty("cluster.id", clusterId);
    p.setProperty("data.dir", root.resolve("node-" + id).toString());
    p.setProperty("host", "127.0.0.1");
    p.setProperty("client.port", String.valueOf(ports[id - 1][0]));
    p.setProperty("raft.port", String.valueOf(ports[id - 1][1]));
    StringJoiner peers = new StringJoiner(",");
    for (int i = 0; i < ports.length; i++) {
      peers.add((i + 1) + "@127.0.0.1:" + ports[i][1] + ":" + ports[i][0]);
    }
    p.setProperty("cluster.peers", peers.toString());
    // Short election timeouts so a failover takes about a second, as in the node ITs.
    p.setProperty("raft.election.timeout.min", "300ms");
    p.setProperty("raft.election.timeout.max", "600ms");
    return p;
  }

  private static int freePort() {
    try {
      return LoopbackPorts.pick();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (int id = nodes.length; id >= 1; id--) {
      try {
        kill(id);
      } catch (RuntimeException e) {
        LOG.warn("stopping node {} failed", id, e);
      }
    }
    links.close();
    scheduler.shutdownNow();
  }
}
