package dev.quorum.chaos.cluster;

import java.util.List;
import java.util.Set;

/**
 * A cluster the chaos harness can hurt. Both tiers implement it: {@link InProcessCluster} (every
 * node in this JVM) and {@link ProcessCluster} (one JVM per node, each in its own network
 * namespace). A tier throws {@link UnsupportedOperationException} for faults it cannot make; the
 * scenario generator only asks each tier for what it {@link #supports}.
 */
public interface ChaosCluster extends AutoCloseable {
  /** Fault kinds; see {@code notes/chaos.md} §7.3 for what each models. */
  enum Fault {
    KILL,
    PAUSE,
    PARTITION,
    DROP_REQUEST,
    DROP_REPLY,
    DELAY,
    DUPLICATE,
    CLOCK_SKEW,
    ISOLATE_CLIENTS,
    TRUNCATE_LOG,
    FLIP_BITS
  }

  Set<Fault> supports();

  String bootstrap();

  List<Integer> nodeIds();

  /** SIGKILL (or, in process, an abrupt close) of node {@code id}. */
  void kill(int id);

  /** Starts node {@code id} again on its data directory; no-op when it runs. */
  void restart(int id);

  void pause(int id);

  void resume(int id);

  /** Drops every message from {@code from} to {@code to} (one direction) until healed. */
  void blockLink(int from, int to);

  void unblockLink(int from, int to);

  /**
   * Transport faults on node {@code id}'s broker API: {@code probability} of each request being
   * affected, {@code delayMillis} for {@link Fault#DELAY}.
   */
  void transportFault(int id, Fault fault, double probability, long delayMillis);

  void clearTransportFault(int id, Fault fault);

  /** Shifts node {@code id}'s wall clock by {@code offsetMillis} (0 resets it). */
  void skewClock(int id, long offsetMillis);

  /** Cuts (or restores) every client's access to every node; the nodes still see each other. */
  void isolateClients(boolean isolated);

  /**
   * Cuts {@code bytes} off the end of the newest Raft log segment of every group on node {@code
   * id}, which must be stopped: a torn write or lost tail on one disk.
   */
  void truncateNewestSegments(int id, long bytes);

  /**
   * Flips one to four bits (chosen by {@code seed}) inside the entries of the newest Raft log
   * segment of every group on node {@code id}, which must be stopped: silent corruption on one
   * disk.
   */
  void flipBitsInNewestSegments(int id, long seed);

  /** Restarts, resumes, unblocks and clears everything. */
  void healAll();

  /** Whether node {@code id} is running (not killed). */
  boolean isRunning(int id);

  /**
   * Stops node {@code id} cleanly (SIGTERM for a process), so that everything it applied is on its
   * disk; false when it had to be killed instead. The try's replica dumps read the stopped nodes.
   */
  boolean stopCleanly(int id);

  /** The {@code cluster.id} every node runs with (it names the Raft groups on disk). */
  String clusterId();

  /** Node {@code id}'s data directory (its {@code data.dir}). */
  java.nio.file.Path dataDirectory(int id);

  /** Where a report may find node logs, or null. */
  default java.nio.file.Path logDirectory() {
    return null;
  }

  @Override
  void close();
}
