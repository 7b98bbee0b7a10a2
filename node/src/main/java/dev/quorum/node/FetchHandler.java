package dev.quorum.node;

import com.google.protobuf.UnsafeByteOperations;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchRequest;
import dev.quorum.protocol.v1.FetchResponse;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.OffsetSpec;
import dev.quorum.protocol.v1.PartitionFetch;
import dev.quorum.protocol.v1.PartitionFetchResult;
import dev.quorum.protocol.v1.PartitionOffsetQuery;
import dev.quorum.protocol.v1.PartitionOffsetResult;
import dev.quorum.statemachine.PartitionStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Serves reads from the partition leaders' applied state: everything a reader sees is committed. A
 * fetch with nothing to return waits, without holding a thread, until a requested partition gets new
 * records or the wait runs out.
 */
final class FetchHandler {
  static final int MAX_WAIT_MS = 30_000;
  static final int DEFAULT_PARTITION_MAX_BYTES = 1 << 20;
  static final int DEFAULT_MAX_BYTES = 50 << 20;

  private final PartitionLookup lookup;
  private final Executor executor;

  FetchHandler(PartitionLookup lookup, Executor executor) {
    this.lookup = lookup;
    this.executor = executor;
  }

  CompletableFuture<FetchResponse> fetch(FetchRequest request) {
    Reads first = read(request);
    int maxWait = Math.min(Math.max(request.getMaxWaitMs(), 0), MAX_WAIT_MS);
    if (first.bytes() >= request.getMinBytes() || maxWait == 0 || first.waits().isEmpty()) {
      first.waits().forEach(w -> w.cancel(false));
      return CompletableFuture.completedFuture(first.response());
    }
    CompletableFuture<Object> anyData =
        CompletableFuture.anyOf(first.waits().toArray(CompletableFuture[]::new));
    return anyData
        .completeOnTimeout(null, maxWait, TimeUnit.MILLISECONDS)
        // Apply signals the waits on the Raft apply thread: read again on our own executor.
        .thenApplyAsync(
            ignored -> {
              first.waits().forEach(w -> w.cancel(false));
              return read(request).response();
            },
            executor);
  }

  private record Reads(FetchResponse response, long bytes, List<CompletableFuture<Void>> waits) {}

  private Reads read(FetchRequest request) {
    FetchResponse.Builder response = FetchResponse.newBuilder();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    long budget = request.getMaxBytes() > 0 ? request.getMaxBytes() : DEFAULT_MAX_BYTES;
    long total = 0;
    for (PartitionFetch p : request.getPartitionsList()) {
      PartitionFetchResult.Builder result =
          PartitionFetchResult.newBuilder().setTopic(p.getTopic()).setPartition(p.getPartition());
      PartitionLookup.Resolved resolved = lookup.leaderOf(p.getTopic(), p.getPartition());
      if (resolved.error() != null) {
        response.addPartitions(result.setError(resolved.error()));
        continue;
      }
      PartitionStateMachine log = java.util.Objects.requireNonNull(resolved.partition()).stateMachine();
      int partitionMax = p.getMaxBytes() > 0 ? p.getMaxBytes() : DEFAULT_PARTITION_MAX_BYTES;
      int limit = (int) Math.max(0, Math.min(partitionMax, budget - total));
      PartitionStateMachine.ReadResult read =
          limit == 0 && total > 0 ? null : log.read(p.getOffset(), Math.max(limit, 1));
      PartitionStateMachine.LogOffsets offsets = read == null ? log.offsets() : read.offsets();
      result.setHighWatermark(offsets.next()).setLogStartOffset(offsets.start());
      if (read != null && read.outOfRange()) {
        result.setError(
            Errors.definite(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset "
                    + p.getOffset()
                    + " is outside "
                    + p.getTopic()
                    + "-"
                    + p.getPartition()
                    + "'s range ["
                    + offsets.start()
                    + ", "
                    + offsets.next()
                    + "]"));
      } else if (read != null) {
        for (byte[] batch : read.batches()) {
          result.addRecordBatches(UnsafeByteOperations.unsafeWrap(batch));
          total += batch.length;
        }
        if (read.batches().isEmpty()) {
          waits.add(log.awaitOffset(p.getOffset()));
        }
      }
      response.addPartitions(result);
    }
    return new Reads(response.build(), total, waits);
  }

  ListOffsetsResponse listOffsets(ListOffsetsRequest request) {
    ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
    for (PartitionOffsetQuery q : request.getPartitionsList()) {
      PartitionOffsetResult.Builder result =
          PartitionOffsetResult.newBuilder().setTopic(q.getTopic()).setPartition(q.getPartition());
      PartitionLookup.Resolved resolved = lookup.leaderOf(q.getTopic(), q.getPartition());
      if (resolved.error() != null) {
        response.addPartitions(result.setError(resolved.error()));
        continue;
      }
      PartitionStateMachine log = java.util.Objects.requireNonNull(resolved.partition()).stateMachine();
      PartitionStateMachine.LogOffsets offsets = log.offsets();
      if (q.getSpec() == OffsetSpec.OFFSET_SPEC_EARLIEST) {
        result.setOffset(offsets.start());
      } else if (q.getSpec() == OffsetSpec.OFFSET_SPEC_TIMESTAMP) {
        result.setOffset(log.offsetForTime(q.getTimestampMs())).setTimestampMs(q.getTimestampMs());
      } else {
        result.setOffset(offsets.next());
      }
      response.addPartitions(result);
    }
    return response.build();
  }
}
