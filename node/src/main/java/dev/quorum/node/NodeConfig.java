package dev.quorum.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * A node's settings. {@link #load} reads them from properties and reports every problem at once,
 * each naming its key.
 */
record NodeConfig(
    int nodeId,
    String clusterId,
    Path dataDir,
    String host,
    int clientPort,
    int raftPort,
    List<Peer> peers,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotThreshold,
    long purgeGap,
    long purgePreserve,
    long logSegmentBytes,
    long blockCacheBytes,
    long writeBufferBytes,
    int produceEntriesInFlight) {

  static final String NODE_ID = "node.id";
  static final String CLUSTER_ID = "cluster.id";
  static final String DATA_DIR = "data.dir";
  static final String HOST = "host";
  static final String CLIENT_PORT = "client.port";
  static final String RAFT_PORT = "raft.port";
  static final String PEERS = "cluster.peers";
  static final String ELECTION_TIMEOUT_MIN = "raft.election.timeout.min";
  static final String ELECTION_TIMEOUT_MAX = "raft.election.timeout.max";
  static final String SNAPSHOT_THRESHOLD = "raft.snapshot.threshold.entries";
  static final String PURGE_GAP = "raft.log.purge.gap.entries";
  static final String PURGE_PRESERVE = "raft.log.purge.preserve.entries";
  static final String SEGMENT_BYTES = "raft.log.segment.bytes";
  static final String BLOCK_CACHE_BYTES = "storage.block.cache.bytes";
  static final String WRITE_BUFFER_BYTES = "storage.write.buffer.bytes";
  static final String PRODUCE_ENTRIES_IN_FLIGHT = "produce.entries.in.flight";

  /** Every key a node understands, for the error on an unknown one. */
  static final Set<String> KEYS =
      Set.of(
          NODE_ID,
          CLUSTER_ID,
          DATA_DIR,
          HOST,
          CLIENT_PORT,
          RAFT_PORT,
          PEERS,
          ELECTION_TIMEOUT_MIN,
          ELECTION_TIMEOUT_MAX,
          SNAPSHOT_THRESHOLD,
          PURGE_GAP,
          PURGE_PRESERVE,
          SEGMENT_BYTES,
          BLOCK_CACHE_BYTES,
          WRITE_BUFFER_BYTES,
          PRODUCE_ENTRIES_IN_FLIGHT);

  static NodeConfig load(Properties props) {
    Reader r = new Reader(props);
    for (String key : props.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        r.problems.add(key + ": unknown setting");
      }
    }
    int nodeId = r.integer(NODE_ID, null, 1, Integer.MAX_VALUE);
    String clusterId = r.string(CLUSTER_ID, null);
    if (clusterId != null && !clusterId.matches("[A-Za-z0-9._-]{1,64}")) {
      r.problems.add(CLUSTER_ID + ": use 1 to 64 letters, digits, '.', '_' or '-'");
    }
    String dataDir = r.string(DATA_DIR, null);
    String host = r.string(HOST, "127.0.0.1");
    int clientPort = r.integer(CLIENT_PORT, null, 1, 65535);
    int raftPort = r.integer(RAFT_PORT, null, 1, 65535);
    List<Peer> peers = r.peers(nodeId, host, raftPort, clientPort);
    Duration min = r.duration(ELECTION_TIMEOUT_MIN, "600ms");
    Duration max = r.duration(ELECTION_TIMEOUT_MAX, "1200ms");
    if (min != null && max != null && max.compareTo(min) <= 0) {
      r.problems.add(ELECTION_TIMEOUT_MAX + ": must be greater than " + ELECTION_TIMEOUT_MIN);
    }
    long snapshotThreshold = r.longValue(SNAPSHOT_THRESHOLD, 10_000L, 1, Long.MAX_VALUE);
    long purgeGap = r.longValue(PURGE_GAP, 1024L, 1, Long.MAX_VALUE);
    long purgePreserve = r.longValue(PURGE_PRESERVE, 1024L, 0, Integer.MAX_VALUE);
    long segmentBytes = r.longValue(SEGMENT_BYTES, 8L << 20, 64L << 10, 1L << 30);
    long blockCache = r.longValue(BLOCK_CACHE_BYTES, 64L << 20, 1L << 20, Long.MAX_VALUE);
    long writeBuffer = r.longValue(WRITE_BUFFER_BYTES, 128L << 20, 1L << 20, Long.MAX_VALUE);
    int entriesInFlight = r.integer(PRODUCE_ENTRIES_IN_FLIGHT, 4, 1, 64);
    if (clientPort == raftPort && clientPort > 0) {
      r.problems.add(CLIENT_PORT + " and " + RAFT_PORT + ": must differ");
    }
    if (!r.problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid node configuration:\n  " + String.join("\n  ", r.problems));
    }
    return new NodeConfig(
        nodeId,
        clusterId,
        Path.of(dataDir),
        host,
        clientPort,
        raftPort,
        peers,
        min,
        max,
        snapshotThreshold,
        purgeGap,
        purgePreserve,
        segmentBytes,
        blockCache,
        writeBuffer,
        entriesInFlight);
  }

  Peer self() {
    return peers.stream().filter(p -> p.id() == nodeId).findFirst().orElseThrow();
  }

  /** Collects problems instead of failing on the first. */
  private static final class Reader {
    final Properties props;
    final List<String> problems = new ArrayList<>();

    Reader(Properties props) {
      this.props = props;
    }

    String string(String key, String fallback) {
      String value = props.getProperty(key);
      if (value == null || value.isBlank()) {
        if (fallback == null) {
          problems.add(key + ": required");
        }
        return fallback;
      }
      return value.trim();
    }

    int integer(String key, Integer fallback, int min, int max) {
      return (int) longValue(key, fallback == null ? null : fallback.longValue(), min, max);
    }

    long longValue(String key, Long fallback, long min, long max) {
      String value = string(key, fallback == null ? null : fallback.toString());
      if (value == null) {
        return 0;
      }
      try {
        long parsed = Long.parseLong(value);
        if (parsed < min || parsed > max) {
          problems.add(key + ": must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
      } catch (NumberFormatException e) {
        problems.add(key + ": not a whole number: '" + value + "'");
        return 0;
      }
    }

    Duration duration(String key, String fallback) {
      String value = string(key, fallback);
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        problems.add(key + ": " + e.getMessage());
        return null;
      }
    }

    List<Peer> peers(int nodeId, String host, int raftPort, int clientPort) {
      String value = string(PEERS, null);
      if (value == null) {
        return List.of();
      }
      List<Peer> peers;
      try {
        peers = Peer.parseList(value);
      } catch (IllegalArgumentException e) {
        problems.add(PEERS + ": " + e.getMessage());
        return List.of();
      }
      Set<Integer> ids = new HashSet<>();
      for (Peer peer : peers) {
        if (peer.id() < 1 || !ids.add(peer.id())) {
          problems.add(PEERS + ": node id " + peer.id() + " is not positive or appears twice");
        }
      }
      Peer self = peers.stream().filter(p -> p.id() == nodeId).findFirst().orElse(null);
      if (self == null) {
        problems.add(PEERS + ": does not list this node (" + NODE_ID + "=" + nodeId + ")");
      } else if (self.raftPort() != raftPort
          || self.clientPort() != clientPort
          || !self.host().equals(host)) {
        problems.add(
            PEERS + ": lists this node as " + self + " but host/ports are configured differently");
      }
      return List.copyOf(peers);
    }
  }
}
