package dev.quorum.node;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Hands commands to this node's replica of a partition group, in process (no client RPC), and turns
 * every outcome into a {@link PartitionCommandResult}, with an error saying whether the command may
 * still have been applied.
 */
final class RaftSubmitter {
  private final RaftServer server;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callId = new AtomicLong();

  RaftSubmitter(RaftServer server) {
    this.server = server;
  }

  /**
   * Completes once the command is committed by a majority (each of which fsynced it) and applied by
   * this replica, or with an error.
   */
  CompletableFuture<PartitionCommandResult> submit(
      LocalReplicas.Partition partition, PartitionCommand command, long timeoutMs) {
    String name = partition.topic().getName() + "-" + partition.partition();
    RaftClientRequest request =
        request(
                partition.groupId(),
                Message.valueOf(UnsafeByteOperations.unsafeWrap(command.toByteArray())))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    CompletableFuture<RaftClientReply> submitted;
    try {
      submitted = replica(partition.groupId()).submitClientRequestAsync(request);
    } catch (IOException e) {
      return failed(Errors.definite(ErrorCode.UNAVAILABLE, name + ": " + e.getMessage()));
    }
    return submitted
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .handle(
            (reply, failure) ->
                failure != null ? result(failed(name, failure, timeoutMs)) : toResult(name, reply));
  }

  /**
   * Completes with true once a majority confirmed this replica still leads (a Raft read index) and
   * it applied everything committed up to then; false if that could not be confirmed in time.
   */
  CompletableFuture<Boolean> confirmLeadership(LocalReplicas.Partition partition, long timeoutMs) {
    return catchUp(partition.groupId(), timeoutMs);
  }

  /**
   * Completes with true once this node's replica of the group applied everything the group had
   * committed when asked (a Raft read index, taken from the leader if this replica follows); false
   * if that could not be done in time.
   */
  CompletableFuture<Boolean> catchUp(RaftGroupId group, long timeoutMs) {
    RaftClientRequest request =
        request(group, Message.EMPTY).setType(RaftClientRequest.readRequestType()).build();
    try {
      return server
          .submitClientRequestAsync(request)
          .completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS)
          .handle((reply, failure) -> failure == null && reply != null && reply.isSuccess());
    } catch (IOException e) {
      return CompletableFuture.completedFuture(false);
    }
  }

  /**
   * The group's replica itself, which appends on the calling thread. Ratis' server instead hands
   * each request to a thread of the replica's and blocks until that thread has appended it: two
   * thread hand-offs more on every entry's path, and the same blocking for the caller.
   */
  private RaftClientAsynchronousProtocol replica(RaftGroupId group) throws IOException {
    return server.getDivision(group) instanceof RaftClientAsynchronousProtocol replica
        ? replica
        : server;
  }

  private RaftClientRequest.Builder request(RaftGroupId group, Message message) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(server.getId())
        .setGroupId(group)
        .setCallId(callId.incrementAndGet())
        .setMessage(message);
  }

  private static PartitionCommandResult toResult(String name, RaftClientReply reply) {
    if (reply.isSuccess()) {
      try {
        return PartitionCommandResult.parseFrom(
            reply.getMessage().getContent().asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        return result(Errors.indeterminate(ErrorCode.INTERNAL, "unreadable apply result: " + e));
      }
    }
    NotLeaderException notLeader = reply.getNotLeaderException();
    if (notLeader != null) {
      int hint =
          notLeader.getSuggestedLeader() == null
              ? 0
              : RaftGroups.nodeIdOf(notLeader.getSuggestedLeader().getId());
      // Leadership may have moved after the entry was appended: it can still commit.
      return result(Errors.notLeader(name, hint, true));
    }
    if (reply.getException() instanceof LeaderNotReadyException) {
      return result(
          Errors.definite(
              ErrorCode.LEADER_NOT_AVAILABLE, "the leader of " + name + " is not ready"));
    }
    String message =
        reply.getException() == null ? "unknown failure" : reply.getException().getMessage();
    return result(Errors.indeterminate(ErrorCode.UNAVAILABLE, name + ": " + message));
  }

  private static Error failed(String name, Throwable failure, long timeoutMs) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof TimeoutException) {
      return Errors.indeterminate(
          ErrorCode.REQUEST_TIMED_OUT, name + ": not committed within " + timeoutMs + " ms");
    }
    return Errors.indeterminate(ErrorCode.UNAVAILABLE, name + ": " + cause);
  }

  private static CompletableFuture<PartitionCommandResult> failed(Error error) {
    return CompletableFuture.completedFuture(result(error));
  }

  private static PartitionCommandResult result(Error error) {
    return PartitionCommandResult.newBuilder().setError(error).build();
  }
}
