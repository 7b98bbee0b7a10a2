package dev.quorum.node;

import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.jspecify.annotations.Nullable;

/**
 * Resolves (topic, partition) to the local replica that can serve it, or to the error a client should
 * get: unknown topic or partition, not the leader (with the leader's id), or no leader yet.
 */
final class PartitionLookup {
  private static final long CONFIRM_TIMEOUT_MS = 2_000;

  private final LocalReplicas replicas;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callId = new AtomicLong();

  PartitionLookup(LocalReplicas replicas) {
    this.replicas = replicas;
  }

  org.apache.ratis.server.RaftServer server() {
    return replicas.server();
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
    // A new leader serves only once it has applied everything committed before its term; before that
    // its log end could look shorter than what clients already saw.
    if (!p.isLeaderReady()) {
      return Resolved.failed(
          Errors.definite(
              ErrorCode.LEADER_NOT_AVAILABLE, "the leader of " + name + " is not ready yet"));
    }
    return new Resolved(p, null);
  }

  /**
   * Completes with true once a majority confirmed this replica still leads (a Raft read index) and it
   * applied everything committed up to then; false if it could not confirm in time.
   */
  CompletableFuture<Boolean> confirmLeadership(LocalReplicas.Partition partition) {
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(server().getId())
            .setGroupId(partition.groupId())
            .setCallId(callId.incrementAndGet())
            .setMessage(Message.EMPTY)
            .setType(RaftClientRequest.readRequestType())
            .build();
    try {
      return server()
          .submitClientRequestAsync(request)
          .completeOnTimeout(null, CONFIRM_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .handle((reply, failure) -> failure == null && reply != null && reply.isSuccess());
    } catch (java.io.IOException e) {
      return CompletableFuture.completedFuture(false);
    }
  }
}
