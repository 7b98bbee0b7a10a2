package dev.quorum.node;

import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Resolves (topic, partition) to the local replica that can serve it, or to the error a client
 * should get: unknown topic or partition, not the leader (with the leader's id), or no leader yet.
 */
final class PartitionLookup {
  private final LocalReplicas replicas;

  PartitionLookup(LocalReplicas replicas) {
    this.replicas = replicas;
  }

  /** Either a leader replica ready to serve, or why not. */
  record Resolved(LocalReplicas.@Nullable Partition partition, @Nullable Error error) {
    static Resolved failed(Error error) {
      return new Resolved(null, error);
    }
  }

  Resolved leaderOf(String topic, int partition) {
    Optional<TopicRecord> record = replicas.topic(topic);
    if (record.isEmpty()) {
      return Resolved.failed(Errors.unknownTopic(topic));
    }
    int count = record.get().getPartitionsCount();
    if (partition < 0 || partition >= count) {
      return Resolved.failed(Errors.unknownPartition(topic, partition, count));
    }
    LocalReplicas.Partition p = replicas.partition(record.get(), partition);
    String name = topic + "-" + partition;
    if (!p.isLeader()) {
      return Resolved.failed(Errors.notLeader(name, p.leaderHint(), false));
    }
    // A new leader serves only once it has applied everything committed before its term; before
    // that
    // its log end could look shorter than what clients already saw.
    if (!p.isLeaderReady()) {
      return Resolved.failed(
          Errors.definite(
              ErrorCode.LEADER_NOT_AVAILABLE, "the leader of " + name + " is not ready yet"));
    }
    return new Resolved(p, null);
  }
}
