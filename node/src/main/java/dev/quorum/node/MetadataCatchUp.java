package dev.quorum.node;

import dev.quorum.protocol.v1.BrokerGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a starting node back until its metadata replica has applied everything the metadata group
 * had committed, and refuses broker calls until then.
 *
 * <p>A node restarted after a crash starts from its last flushed metadata, which can lack topics
 * created since, and nodes write no Raft commit-index entries (RatisProperties) that would let it
 * replay the rest before the leader speaks. Answered from that view, a produce or metadata request
 * for an existing topic would get a definite UNKNOWN_TOPIC, and the reconciler would start replicas
 * of topics deleted since. Refused with UNAVAILABLE instead, a client treats the node as not up yet
 * and retries, as it does for a node that is down.
 */
final class MetadataCatchUp implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataCatchUp.class);
  private static final long ATTEMPT_TIMEOUT_MS = 2_000;
  private static final long RETRY_MS = 100;

  /** Calls that do not read the metadata view, answered at once: crash takeover needs them. */
  private static final Set<String> ALWAYS_ANSWERED =
      Set.of(BrokerGrpc.getRaftLogEndsMethod().getFullMethodName());

  private final int nodeId;
  private final RaftSubmitter submitter;
  private final RaftGroupId metadataGroup;
  private final ScheduledExecutorService timer;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();

  MetadataCatchUp(
      int nodeId,
      RaftSubmitter submitter,
      RaftGroupId metadataGroup,
      ScheduledExecutorService timer) {
    this.nodeId = nodeId;
    this.submitter = submitter;
    this.metadataGroup = metadataGroup;
    this.timer = timer;
  }

  /** Starts trying (a Raft read index on the metadata group) until one attempt succeeds. */
  void start() {
    submitter
        .catchUp(metadataGroup, ATTEMPT_TIMEOUT_MS)
        .whenComplete(
            (done, failure) -> {
              if (failure == null && done) {
                LOG.info("node {} caught up on cluster metadata", nodeId);
                caughtUp.complete(null);
                return;
              }
              try {
                timer.schedule(this::start, RETRY_MS, TimeUnit.MILLISECONDS);
              } catch (RejectedExecutionException e) {
                // The node is closing.
              }
            });
  }

  /** Completes once; later staleness (a node cut off from the leader) is not tracked. */
  CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (caughtUp.isDone()
        || ALWAYS_ANSWERED.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    call.close(
        Status.UNAVAILABLE.withDescription(
            "node " + nodeId + " is starting: its cluster metadata is not caught up yet"),
        new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
