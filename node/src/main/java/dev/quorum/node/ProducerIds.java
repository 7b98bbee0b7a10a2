package dev.quorum.node;

import dev.quorum.protocol.raft.AllocateProducerIds;
import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.MetadataCommandResult;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.InitProducerIdResponse;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Hands out producer ids from blocks the metadata group allocates, so a new producer costs a Raft
 * write on the metadata group only once per {@value #BLOCK} producers. Ids are unique across the
 * cluster and never reused; a node that restarts simply takes a new block.
 */
final class ProducerIds {
  static final int BLOCK = 1_000;

  private final MetadataWriter writer;
  private long next;
  private long end;
  private @Nullable CompletableFuture<@Nullable Void> refill;

  ProducerIds(MetadataWriter writer) {
    this.writer = writer;
  }

  CompletableFuture<InitProducerIdResponse> initProducerId() {
    return allocate()
        .thenApply(
            id -> InitProducerIdResponse.newBuilder().setProducerId(id).setProducerEpoch(0).build())
        .exceptionally(
            failure ->
                InitProducerIdResponse.newBuilder()
                    .setError(
                        Errors.definite(
                            ErrorCode.UNAVAILABLE,
                            "cannot allocate a producer id: "
                                + (failure.getCause() != null ? failure.getCause() : failure)
                                    .getMessage()))
                    .build());
  }

  synchronized CompletableFuture<Long> allocate() {
    if (next < end) {
      return CompletableFuture.completedFuture(next++);
    }
    if (refill == null || refill.isDone()) {
      // The block is installed inside the chain, before anything waiting on it runs again.
      refill =
          writer
              .submit(
                  MetadataCommand.newBuilder()
                      .setAllocateProducerIds(AllocateProducerIds.newBuilder().setCount(BLOCK))
                      .build())
              .thenApply(this::install);
    }
    return refill.thenCompose(ignored -> allocate());
  }

  private synchronized @Nullable Void install(MetadataCommandResult result) {
    if (result.hasError()) {
      throw new IllegalStateException(result.getError().getMessage());
    }
    next = result.getFirstProducerId();
    end = next + BLOCK;
    return null;
  }
}
