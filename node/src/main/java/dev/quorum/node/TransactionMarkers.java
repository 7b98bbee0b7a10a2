package dev.quorum.node;

import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.ProducerState;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.raft.TransactionMarker;
import dev.quorum.protocol.v1.DescribeProducersRequest;
import dev.quorum.protocol.v1.DescribeProducersResponse;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.ProducerDescription;
import dev.quorum.protocol.v1.WriteTransactionMarkerRequest;
import dev.quorum.protocol.v1.WriteTransactionMarkerResponse;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes commit and abort markers into partitions: the coordinator's side (find the partition's
 * leader, retry until it answered) and the leader's side (append the marker through Raft). Also
 * shows what a partition knows of its producers' transactions, for finding hanging ones.
 */
final class TransactionMarkers {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionMarkers.class);
  private static final long WRITE_TIMEOUT_MS = 10_000;
  private static final long RPC_TIMEOUT_MS = 12_000;
  private static final long MAX_BACKOFF_MS = 1_000;

  private final int nodeId;
  private final LocalReplicas replicas;
  private final PartitionLookup lookup;
  private final RaftSubmitter submitter;
  private final PeerChannels peers;
  private final ScheduledExecutorService timer;

  TransactionMarkers(
      int nodeId,
      LocalReplicas replicas,
      PartitionLookup lookup,
      RaftSubmitter submitter,
      PeerChannels peers,
      ScheduledExecutorService timer) {
    this.nodeId = nodeId;
    this.replicas = replicas;
    this.lookup = lookup;
    this.submitter = submitter;
    this.peers = peers;
    this.timer = timer;
  }

  /**
   * Completes once the partition's leader committed the marker, retrying through leader changes for
   * as long as {@code stillCoordinator} holds; fails once it no longer does (a new coordinator
   * writes the markers again). A deleted topic needs no marker.
   */
  CompletableFuture<Void> write(
      WriteTransactionMarkerRequest marker, BooleanSupplier stillCoordinator) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(marker, stillCoordinator, 0, 0, done);
    return done;
  }

  private void attempt(
      WriteTransactionMarkerRequest marker,
      BooleanSupplier stillCoordinator,
      int attempts,
      int hint,
      CompletableFuture<Void> done) {
    try {
      tryOnce(marker, stillCoordinator, attempts, hint, done);
    } catch (RuntimeException e) {
      // Never leave the transaction waiting on a marker nobody retries.
      done.completeExceptionally(e);
    }
  }

  private void tryOnce(
      WriteTransactionMarkerRequest marker,
      BooleanSupplier stillCoordinator,
      int attempts,
      int hint,
      CompletableFuture<Void> done) {
    if (!stillCoordinator.getAsBoolean()) {
      done.completeExceptionally(
          new IllegalStateException("node " + nodeId + " no longer coordinates the transaction"));
      return;
    }
    int target = hint > 0 ? hint : leaderHint(marker);
    send(target, marker)
        .whenComplete(
            (response, failure) -> {
              Error error =
                  failure != null
                      ? Errors.indeterminate(ErrorCode.UNAVAILABLE, String.valueOf(failure))
                      : response.getError();
              ErrorCode code = error.getCode();
              if (code == ErrorCode.NONE) {
                done.complete(null);
                return;
              }
              if (isUnknown(code) && goneHere(marker)) {
                completeIfDeleted(marker, stillCoordinator, attempts, done);
                return;
              }
              LOG.debug(
                  "node {}: marker for {}-{} to node {} failed, will retry: {}",
                  nodeId,
                  marker.getTopic(),
                  marker.getPartition(),
                  target,
                  error.getMessage());
              int nextHint = code == ErrorCode.NOT_LEADER ? error.getLeaderHint() : 0;
              retryLater(marker, stillCoordinator, attempts, nextHint, done);
            });
  }

  /**
   * A deleted topic needs no marker, but this node's view may only be behind (just restarted, cut
   * off): it lacks topics that exist, and skipping their marker would leave the transaction open
   * there. So the view first catches up with everything the metadata group committed.
   */
  private void completeIfDeleted(
      WriteTransactionMarkerRequest marker,
      BooleanSupplier stillCoordinator,
      int attempts,
      CompletableFuture<Void> done) {
    submitter
        .catchUp(replicas.metadataGroupId(), RPC_TIMEOUT_MS)
        .whenComplete(
            (caughtUp, failure) -> {
              if (failure == null && caughtUp && goneHere(marker)) {
                done.complete(null);
              } else {
                retryLater(marker, stillCoordinator, attempts, 0, done);
              }
            });
  }

  private void retryLater(
      WriteTransactionMarkerRequest marker,
      BooleanSupplier stillCoordinator,
      int attempts,
      int hint,
      CompletableFuture<Void> done) {
    long backoff = Math.min(MAX_BACKOFF_MS, 50L << Math.min(attempts, 5));
    try {
      timer.schedule(
          () -> attempt(marker, stillCoordinator, attempts + 1, hint, done),
          backoff,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      done.completeExceptionally(e); // shutting down
    }
  }

  private static boolean isUnknown(ErrorCode code) {
    return code == ErrorCode.UNKNOWN_TOPIC || code == ErrorCode.UNKNOWN_PARTITION;
  }

  /**
   * Whether this node's own metadata says the partition no longer exists (its topic was deleted).
   * Another node answering "unknown" may only be behind on the metadata: that is no reason to skip
   * a marker, which would leave the transaction open in the partition.
   */
  private boolean goneHere(WriteTransactionMarkerRequest marker) {
    Optional<TopicRecord> topic = replicas.topic(marker.getTopic());
    return topic.isEmpty() || marker.getPartition() >= topic.get().getPartitionsCount();
  }

  private int leaderHint(WriteTransactionMarkerRequest marker) {
    Optional<TopicRecord> topic = replicas.topic(marker.getTopic());
    if (topic.isEmpty() || marker.getPartition() >= topic.get().getPartitionsCount()) {
      return nodeId; // answered locally: UNKNOWN_TOPIC or UNKNOWN_PARTITION
    }
    int hint = replicas.partition(topic.get(), marker.getPartition()).leaderHint();
    return hint > 0 ? hint : nodeId;
  }

  private CompletableFuture<WriteTransactionMarkerResponse> send(
      int target, WriteTransactionMarkerRequest marker) {
    NodeInfo node = replicas.view().nodes().get(target);
    if (target == nodeId || node == null) {
      return writeHere(marker);
    }
    CompletableFuture<WriteTransactionMarkerResponse> answer = new CompletableFuture<>();
    peers
        .stub(node)
        .withDeadlineAfter(RPC_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .writeTransactionMarker(
            marker,
            new StreamObserver<>() {
              @Override
              public void onNext(WriteTransactionMarkerResponse value) {
                answer.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                answer.complete(WriteTransactionMarkerResponse.getDefaultInstance());
              }
            });
    return answer;
  }

  /** The leader's side: appends the marker to the local replica, which must lead. */
  CompletableFuture<WriteTransactionMarkerResponse> writeHere(
      WriteTransactionMarkerRequest marker) {
    PartitionLookup.Resolved resolved = lookup.leaderOf(marker.getTopic(), marker.getPartition());
    if (resolved.error() != null) {
      return CompletableFuture.completedFuture(
          WriteTransactionMarkerResponse.newBuilder().setError(resolved.error()).build());
    }
    PartitionCommand command =
        PartitionCommand.newBuilder()
            .setMarker(
                TransactionMarker.newBuilder()
                    .setProducerId(marker.getProducerId())
                    .setProducerEpoch(marker.getProducerEpoch())
                    .setCommit(marker.getCommit()))
            .build();
    return submitter
        .submit(java.util.Objects.requireNonNull(resolved.partition()), command, WRITE_TIMEOUT_MS)
        .thenApply(
            result -> {
              var response = WriteTransactionMarkerResponse.newBuilder();
              return result.hasError()
                  ? response.setError(result.getError()).build()
                  : response.build();
            });
  }

  /** The leader's view of the partition's producers and their open transactions. */
  DescribeProducersResponse describeProducers(DescribeProducersRequest request) {
    PartitionLookup.Resolved resolved = lookup.leaderOf(request.getTopic(), request.getPartition());
    var response = DescribeProducersResponse.newBuilder();
    if (resolved.error() != null) {
      return response.setError(resolved.error()).build();
    }
    for (ProducerState state :
        java.util.Objects.requireNonNull(resolved.partition()).stateMachine().producers()) {
      int batches = state.getBatchesCount();
      response.addProducers(
          ProducerDescription.newBuilder()
              .setProducerId(state.getProducerId())
              .setProducerEpoch(state.getEpoch())
              .setLastSequence(batches == 0 ? -1 : state.getBatches(batches - 1).getLastSequence())
              .setLastAppendTimeMs(state.getLastAppendTimeMs())
              .setTransactionOpen(state.getTransactionOpen())
              .setTransactionEpoch(state.getTransactionEpoch())
              .setTransactionFirstOffset(state.getTransactionFirstOffset()));
    }
    return response.build();
  }
}
