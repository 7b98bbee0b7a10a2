package dev.quorum.chaos.cluster;

import dev.quorum.chaos.check.ReplicaDump;
import dev.quorum.node.EmbeddedBroker;
import dev.quorum.protocol.v1.Record;
import dev.quorum.statemachine.PartitionDump;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end of a try: stop every node cleanly, then read each replica of the topic straight from the
 * node's data directory with the state machine's own decoding ({@link PartitionDump}). Reading
 * stopped nodes is what both tiers can do honestly: a running node keeps applied writes in memory
 * (RocksDB's WAL is off), and a clean stop writes them out.
 */
public final class ReplicaDumps {
  private ReplicaDumps() {}

  /**
   * Stops every node of {@code cluster} and dumps every replica of {@code topic}: per partition,
   * per node. A node that had to be killed, or a store that cannot be read, gets an unreadable dump
   * saying why.
   */
  public static Map<Integer, Map<Integer, ReplicaDump>> stopAndRead(
      ChaosCluster cluster, String topic) {
    String clusterId = cluster.clusterId();
    Map<Integer, Boolean> clean = new TreeMap<>();
    for (int node : cluster.nodeIds()) {
      clean.put(node, cluster.stopCleanly(node));
    }
    Map<Integer, Map<Integer, ReplicaDump>> dumps = new TreeMap<>();
    for (int node : cluster.nodeIds()) {
      Path data = cluster.dataDirectory(node);
      try {
        for (Path group : EmbeddedBroker.groupDirs(data)) {
          int partition =
              EmbeddedBroker.partitionOfGroupDir(clusterId, topic, group.getFileName().toString());
          if (partition < 0) {
            continue;
          }
          ReplicaDump dump =
              clean.get(node)
                  ? read(group.resolve("db"))
                  : ReplicaDump.unreadable("node " + node + " did not stop cleanly");
          dumps.computeIfAbsent(partition, p -> new TreeMap<>()).put(node, dump);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the groups of node " + node, e);
      }
    }
    return dumps;
  }

  static ReplicaDump read(Path store) {
    if (!PartitionDump.isStore(store)) {
      return ReplicaDump.unreadable("no store at " + store);
    }
    try {
      PartitionDump.Contents contents = PartitionDump.read(store);
      List<ReplicaDump.StoredBatch> batches = new ArrayList<>();
      for (PartitionDump.Batch b : contents.batches()) {
        List<String> values = new ArrayList<>();
        for (Record r : b.batch().getRecordsList()) {
          values.add(r.getValue().toString(StandardCharsets.UTF_8));
        }
        batches.add(
            new ReplicaDump.StoredBatch(
                b.batch().getBaseOffset(),
                b.batch().getRecordsCount(),
                b.batch().getProducerId(),
                b.batch().getProducerEpoch(),
                b.batch().getBaseSequence(),
                b.batch().getTransactional(),
                b.aborted(),
                values));
      }
      return new ReplicaDump(contents.start(), contents.end(), batches, null);
    } catch (IllegalStateException e) {
      return ReplicaDump.unreadable(String.valueOf(e.getMessage()));
    }
  }
}
