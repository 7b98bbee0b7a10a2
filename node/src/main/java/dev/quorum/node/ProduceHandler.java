package dev.quorum.node;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.PartitionProduceResult;
import dev.quorum.protocol.v1.ProduceRequest;
import dev.quorum.protocol.v1.ProduceResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Appends produce batches through the partition's Raft group. A partition is answered once its entry
 * is committed by a majority (each of which fsynced it) and applied by this leader.
 */
final class ProduceHandler {
  static final int DEFAULT_TIMEOUT_MS = 30_000;

  private final PartitionLookup lookup;
  private final Clock clock;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callId = new AtomicLong();

  ProduceHandler(PartitionLookup lookup, Clock clock) {
    this.lookup = lookup;
    this.clock = clock;
  }

  CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
    long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : DEFAULT_TIMEOUT_MS;
    List<CompletableFuture<PartitionProduceResult>> results = new ArrayList<>();
    for (PartitionProduce partition : request.getPartitionsList()) {
      results.add(append(partition, timeoutMs));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              ProduceResponse.Builder response = ProduceResponse.newBuilder();
              results.forEach(r -> response.addPartitions(r.join()));
              return response.build();
            });
  }

  private CompletableFuture<PartitionProduceResult> append(PartitionProduce p, long timeoutMs) {
    PartitionProduceResult.Builder result =
        PartitionProduceResult.newBuilder().setTopic(p.getTopic()).setPartition(p.getPartition());
    PartitionLookup.Resolved resolved = lookup.leaderOf(p.getTopic(), p.getPartition());
    if (resolved.error() != null) {
      return done(result.setError(resolved.error()));
    }
    LocalReplicas.Partition partition = java.util.Objects.requireNonNull(resolved.partition());
    String name = p.getTopic() + "-" + p.getPartition();
    if (p.getRecordsCount() == 0) {
      return done(result.setError(Errors.definite(ErrorCode.INVALID_REQUEST, "no records for " + name)));
    }
    AppendRecords append =
        AppendRecords.newBuilder()
            .setAppendTimeMs(clock.millis())
            .addAllRecords(p.getRecordsList())
            .build();
    int limit = partition.topic().getConfig().getMaxMessageBytes();
    if (append.getSerializedSize() > limit) {
      return done(
          result.setError(
              Errors.definite(
                  ErrorCode.RECORD_TOO_LARGE,
                  "a batch of "
                      + append.getSerializedSize()
                      + " bytes for "
                      + name
                      + " exceeds the topic's max message bytes of "
                      + limit)));
    }
    byte[] command = PartitionCommand.newBuilder().setAppend(append).build().toByteArray();
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(lookup.server().getId())
            .setGroupId(partition.groupId())
            .setCallId(callId.incrementAndGet())
            .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(command)))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    CompletableFuture<RaftClientReply> submitted;
    try {
      submitted = lookup.server().submitClientRequestAsync(request);
    } catch (java.io.IOException e) {
      return done(result.setError(Errors.definite(ErrorCode.UNAVAILABLE, e.getMessage())));
    }
    return submitted
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .handle(
            (reply, failure) -> {
              if (failure != null) {
                return result.setError(failed(name, failure, timeoutMs)).build();
              }
              return toResult(result, name, reply);
            });
  }

  private static PartitionProduceResult toResult(
      PartitionProduceResult.Builder result, String name, RaftClientReply reply) {
    if (reply.isSuccess()) {
      try {
        PartitionCommandResult applied =
            PartitionCommandResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
        if (applied.hasError()) {
          return result.setError(applied.getError()).build();
        }
        return result
            .setBaseOffset(applied.getBaseOffset())
            .setAppendTimeMs(applied.getAppendTimeMs())
            .build();
      } catch (InvalidProtocolBufferException e) {
        return result
            .setError(Errors.indeterminate(ErrorCode.INTERNAL, "unreadable apply result: " + e))
            .build();
      }
    }
    NotLeaderException notLeader = reply.getNotLeaderException();
    if (notLeader != null) {
      int hint =
          notLeader.getSuggestedLeader() == null
              ? 0
              : RaftGroups.nodeIdOf(notLeader.getSuggestedLeader().getId());
      // Leadership may have moved after the entry was appended: it can still commit.
      return result.setError(Errors.notLeader(name, hint, true)).build();
    }
    if (reply.getException() instanceof LeaderNotReadyException) {
      return result
          .setError(
              Errors.definite(ErrorCode.LEADER_NOT_AVAILABLE, "the leader of " + name + " is not ready"))
          .build();
    }
    String message = reply.getException() == null ? "unknown failure" : reply.getException().getMessage();
    return result.setError(Errors.indeterminate(ErrorCode.UNAVAILABLE, name + ": " + message)).build();
  }

  private static Error failed(String name, Throwable failure, long timeoutMs) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof TimeoutException) {
      return Errors.indeterminate(
          ErrorCode.REQUEST_TIMED_OUT, name + ": not committed within " + timeoutMs + " ms");
    }
    return Errors.indeterminate(ErrorCode.UNAVAILABLE, name + ": " + cause);
  }

  private static CompletableFuture<PartitionProduceResult> done(PartitionProduceResult.Builder r) {
    return CompletableFuture.completedFuture(r.build());
  }
}
