package dev.quorum.node;

import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.statemachine.PartitionStateMachine;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/** A partition's replicas in a {@link TestCluster}: who leads, and what each replica holds. */
final class PartitionReplicas {
  private PartitionReplicas() {}

  /** A follower of the group (of nodes 1–3). */
  static int followerOf(TestCluster cluster, RaftGroupId groupId) {
    int leader = leaderOf(cluster, groupId);
    return leader == 3 ? 2 : 3;
  }

  static int leaderOf(TestCluster cluster, RaftGroupId groupId) {
    for (int id = 1; id <= 3; id++) {
      RaftServer.Division d = cluster.isRunning(id) ? division(cluster, id, groupId) : null;
      if (d != null && d.getInfo().isLeader()) {
        return id;
      }
    }
    throw new AssertionError("no leader for " + groupId);
  }

  /** Node {@code id}'s replica of the group, or null while it has none. */
  static RaftServer.Division division(TestCluster cluster, int id, RaftGroupId groupId) {
    try {
      return cluster.node(id).raftServer().getDivision(groupId);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  static PartitionStateMachine log(RaftServer.Division division) {
    return (PartitionStateMachine) division.getStateMachine();
  }

  /** Every record value of the replica, in offset order. */
  static List<String> values(PartitionStateMachine log) throws Exception {
    List<String> values = new ArrayList<>();
    for (byte[] bytes : log.read(0, Integer.MAX_VALUE).batches()) {
      for (Record record : RecordBatch.parseFrom(bytes).getRecordsList()) {
        values.add(record.getValue().toStringUtf8());
      }
    }
    return values;
  }
}
