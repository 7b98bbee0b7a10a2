package dev.quorum.chaos.harness;

import dev.quorum.chaos.cluster.ChaosCluster;
import dev.quorum.chaos.cluster.ChaosCluster.Fault;
import dev.quorum.chaos.history.Recorder;
import dev.quorum.client.Admin;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a scenario's faults at their times on one thread: start, hold for the duration, undo. Roles
 * ({@code leader}, {@code follower}) are resolved when a fault starts, from the cluster's own view
 * of partition 0, so a replayed scenario hits the same role even if a different node holds it.
 */
final class Nemesis implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Nemesis.class);

  private final ChaosCluster cluster;
  private final List<FaultEvent> events;
  private final Recorder clock;
  private final IntSupplier leader;
  private final SplittableRandom random;
  private final List<FaultWindow> windows = new ArrayList<>();
  private volatile boolean stopped;

  Nemesis(
      ChaosCluster cluster,
      List<FaultEvent> events,
      Recorder clock,
      IntSupplier leader,
      long seed) {
    this.cluster = cluster;
    this.events = events;
    this.clock = clock;
    this.leader = leader;
    this.random = new SplittableRandom(seed ^ 0x5eed);
  }

  /** The leader of partition 0 of {@code topic} as the cluster reports it; 0 if unknown. */
  static IntSupplier leaderOf(Admin admin, String topic) {
    return () -> {
      try {
        return admin.describeTopic(topic).partitions().get(0).leader();
      } catch (RuntimeException e) {
        return 0;
      }
    };
  }

  synchronized List<FaultWindow> windows() {
    return List.copyOf(windows);
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    for (FaultEvent event : events) {
      if (!sleepUntil(event.atMs())) {
        return;
      }
      List<Integer> nodes = List.of();
      long start = clock.now();
      try {
        nodes = begin(event);
      } catch (RuntimeException e) {
        LOG.warn("fault {} did not start", event, e);
        record(new FaultWindow(event.kind(), event.target(), start, start, "not started: " + e));
        continue;
      }
      boolean completed = sleepUntil(event.atMs() + event.durationMs());
      try {
        end(event, nodes);
      } catch (RuntimeException e) {
        LOG.warn("fault {} did not end cleanly (healing at the end will)", event, e);
      }
      record(new FaultWindow(event.kind(), describe(event, nodes), start, clock.now(), ""));
      if (!completed) {
        return;
      }
    }
  }

  private synchronized void record(FaultWindow window) {
    windows.add(window);
  }

  private boolean sleepUntil(long atMs) {
    long target = TimeUnit.MILLISECONDS.toNanos(atMs);
    while (!stopped) {
      long left = target - clock.now();
      if (left <= 0) {
        return true;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** Starts the fault; returns the nodes it touched (for a partition: the first side). */
  private List<Integer> begin(FaultEvent e) {
    switch (e.kind()) {
      case "kill" -> {
        List<Integer> n = targets(e.target());
        n.forEach(cluster::kill);
        return n;
      }
      case "pause" -> {
        List<Integer> n = targets(e.target());
        n.forEach(cluster::pause);
        return n;
      }
      case "partition" -> {
        List<int[]> cuts = cuts(e.target());
        cuts.forEach(c -> cluster.blockLink(c[0], c[1]));
        return cuts.stream().map(c -> c[0] * 100 + c[1]).toList();
      }
      case "clock" -> {
        List<Integer> n = targets(e.target());
        n.forEach(id -> cluster.skewClock(id, e.amountMs()));
        return n;
      }
      case "isolate-clients" -> {
        cluster.isolateClients(true);
        return cluster.nodeIds();
      }
      case "truncate" -> {
        // a minority node: stop it, cut the tail of its newest segments; restarted at the end
        List<Integer> n = targets(e.target());
        n.forEach(
            id -> {
              cluster.kill(id);
              cluster.truncateNewestSegments(id, e.amountMs());
            });
        return n;
      }
      case "bitflip" -> {
        // a minority node: stop it, flip bits inside its newest segments; restarted at the end
        List<Integer> n = targets(e.target());
        n.forEach(
            id -> {
              cluster.kill(id);
              cluster.flipBitsInNewestSegments(id, e.amountMs());
            });
        return n;
      }
      default -> {
        Fault fault = transportFault(e.kind());
        List<Integer> n = targets(e.target());
        n.forEach(id -> cluster.transportFault(id, fault, e.probability(), e.amountMs()));
        return n;
      }
    }
  }

  private void end(FaultEvent e, List<Integer> nodes) {
    switch (e.kind()) {
      case "kill", "truncate", "bitflip" -> nodes.forEach(cluster::restart);
      case "isolate-clients" -> cluster.isolateClients(false);
      case "pause" -> nodes.forEach(cluster::resume);
      case "partition" -> nodes.forEach(c -> cluster.unblockLink(c / 100, c % 100));
      case "clock" -> nodes.forEach(id -> cluster.skewClock(id, 0));
      default -> nodes.forEach(id -> cluster.clearTransportFault(id, transportFault(e.kind())));
    }
  }

  private static String describe(FaultEvent e, List<Integer> nodes) {
    if (e.kind().equals("partition")) {
      return nodes.stream().map(c -> (c / 100) + ">" + (c % 100)).toList().toString();
    }
    return nodes.toString();
  }

  static Fault transportFault(String kind) {
    return switch (kind) {
      case "drop-request" -> Fault.DROP_REQUEST;
      case "drop-reply" -> Fault.DROP_REPLY;
      case "delay" -> Fault.DELAY;
      case "duplicate" -> Fault.DUPLICATE;
      default -> throw new IllegalArgumentException("unknown fault kind '" + kind + "'");
    };
  }

  private List<Integer> targets(String target) {
    List<Integer> all = cluster.nodeIds();
    if (target.equals("all")) {
      return all;
    }
    if (target.startsWith("node:")) {
      return List.of(Integer.parseInt(target.substring(5)));
    }
    int l = leader.getAsInt();
    if (target.equals("leader")) {
      return l > 0 ? List.of(l) : List.of(all.get(random.nextInt(all.size())));
    }
    List<Integer> followers = all.stream().filter(id -> id != l).toList();
    if (target.equals("follower")) {
      return List.of(followers.get(random.nextInt(followers.size())));
    }
    if (target.equals("followers")) {
      return followers; // quorum-pause: the leader alone stays up, with no majority
    }
    throw new IllegalArgumentException("unknown target '" + target + "'");
  }

  /** Directed links to cut: both directions between halves, or one direction. */
  private List<int[]> cuts(String target) {
    List<int[]> cuts = new ArrayList<>();
    if (target.startsWith("oneway:")) {
      String[] ends = target.substring(7).split(">");
      cuts.add(new int[] {Integer.parseInt(ends[0]), Integer.parseInt(ends[1])});
      return cuts;
    }
    if (target.startsWith("ring:")) {
      // every node sees a majority (itself and its two ring neighbours), no two the same one
      List<Integer> ring = parseIds(target.substring(5));
      int n = ring.size();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          int distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
          if (distance > 1) {
            cuts.add(new int[] {ring.get(i), ring.get(j)});
          }
        }
      }
      return cuts;
    }
    if (target.startsWith("bridge:")) {
      // two halves that cannot see each other, and one node that sees both
      String[] parts = target.substring(7).split("\\|");
      for (int a : parseIds(parts[0])) {
        for (int b : parseIds(parts[2])) {
          cuts.add(new int[] {a, b});
          cuts.add(new int[] {b, a});
        }
      }
      return cuts;
    }
    List<Integer> side;
    if (target.equals("leader")) {
      side = targets("leader");
    } else if (target.startsWith("halves:")) {
      side = parseIds(target.substring(7).split("\\|")[0]);
    } else {
      throw new IllegalArgumentException("unknown partition target '" + target + "'");
    }
    for (int a : side) {
      for (int b : cluster.nodeIds()) {
        if (!side.contains(b)) {
          cuts.add(new int[] {a, b});
          cuts.add(new int[] {b, a});
        }
      }
    }
    return cuts;
  }

  private static List<Integer> parseIds(String csv) {
    List<Integer> ids = new ArrayList<>();
    for (String s : csv.split(",")) {
      ids.add(Integer.parseInt(s.trim()));
    }
    return ids;
  }
}
