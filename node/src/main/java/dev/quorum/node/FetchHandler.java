package dev.quorum.node;

import com.google.protobuf.UnsafeByteOperations;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchRequest;
import dev.quorum.protocol.v1.FetchResponse;
import dev.quorum.protocol.v1.IsolationLevel;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.OffsetSpec;
import dev.quorum.protocol.v1.PartitionFetch;
import dev.quorum.protocol.v1.PartitionFetchResult;
import dev.quorum.protocol.v1.PartitionOffsetQuery;
import dev.quorum.protocol.v1.PartitionOffsetResult;
import dev.quorum.statemachine.PartitionStateMachine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Serves reads from the partition leaders' applied state: everything a reader sees is committed. A
 * fetch with nothing to return waits, without holding a thread, until a requested partition gets
 * new records or the wait runs out.
 */
final class FetchHandler {
  static final int MAX_WAIT_MS = 30_000;
  static final int DEFAULT_PARTITION_MAX_BYTES = 1 << 20;
  static final int DEFAULT_MAX_BYTES = 50 << 20;

  private static final long CONFIRM_TIMEOUT_MS = 2_000;

  private final PartitionLookup lookup;
  private final RaftSubmitter submitter;
  private final Executor executor;

  FetchHandler(PartitionLookup lookup, RaftSubmitter submitter, Executor executor) {
    this.lookup = lookup;
    this.submitter = submitter;
    this.executor = executor;
  }

  CompletableFuture<FetchResponse> fetch(FetchRequest request) {
    Reads first = read(request, Set.of());
    if (first.beyondEnd().isEmpty()) {
      return respondOrWait(request, first);
    }
    // Only a confirmed leader may call an offset past its end out of range; re-read after
    // confirming.
    List<CompletableFuture<Boolean>> confirmations = new ArrayList<>();
    for (LocalReplicas.Partition p : first.beyondEnd()) {
      confirmations.add(submitter.confirmLeadership(p, CONFIRM_TIMEOUT_MS));
    }
    return CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new))
        .thenComposeAsync(
            v -> {
              Set<String> confirmed = new HashSet<>();
              for (int i = 0; i < confirmations.size(); i++) {
                if (confirmations.get(i).join()) {
                  confirmed.add(name(first.beyondEnd().get(i)));
                }
              }
              first.cancelWaits();
              return respondOrWait(request, read(request, confirmed));
            },
            executor);
  }

  private CompletableFuture<FetchResponse> respondOrWait(FetchRequest request, Reads reads) {
    int maxWait = Math.min(Math.max(request.getMaxWaitMs(), 0), MAX_WAIT_MS);
    if (reads.bytes() >= request.getMinBytes() || maxWait == 0 || reads.waits().isEmpty()) {
      reads.cancelWaits();
      return CompletableFuture.completedFuture(reads.response());
    }
    return CompletableFuture.anyOf(reads.waits().toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, maxWait, TimeUnit.MILLISECONDS)
        // Apply signals the waits on the Raft apply thread: read again on our own executor.
        .thenApplyAsync(
            ignored -> {
              reads.cancelWaits();
              return read(request, Set.of()).response();
            },
            executor);
  }

  private record Reads(
      FetchResponse response,
      long bytes,
      List<CompletableFuture<Void>> waits,
      List<LocalReplicas.Partition> beyondEnd) {
    void cancelWaits() {
      waits.forEach(w -> w.cancel(false));
    }
  }

  private Reads read(FetchRequest request, Set<String> confirmedLeaders) {
    FetchResponse.Builder response = FetchResponse.newBuilder();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    List<LocalReplicas.Partition> beyondEnd = new ArrayList<>();
    long budget = request.getMaxBytes() > 0 ? request.getMaxBytes() : DEFAULT_MAX_BYTES;
    boolean committedOnly = request.getIsolationLevel() == IsolationLevel.READ_COMMITTED;
    long total = 0;
    for (PartitionFetch p : request.getPartitionsList()) {
      PartitionFetchResult.Builder result =
          PartitionFetchResult.newBuilder().setTopic(p.getTopic()).setPartition(p.getPartition());
      PartitionLookup.Resolved resolved = lookup.leaderOf(p.getTopic(), p.getPartition());
      if (resolved.error() != null) {
        response.addPartitions(result.setError(resolved.error()));
        continue;
      }
      LocalReplicas.Partition partition = java.util.Objects.requireNonNull(resolved.partition());
      PartitionStateMachine log = partition.stateMachine();
      int partitionMax = p.getMaxBytes() > 0 ? p.getMaxBytes() : DEFAULT_PARTITION_MAX_BYTES;
      long limit = Math.min(partitionMax, budget - total);
      if (limit <= 0) {
        // The response is full; this partition gets its turn in the next fetch.
        response.addPartitions(describe(result, log.offsets()).setNextOffset(p.getOffset()));
        continue;
      }
      PartitionStateMachine.ReadResult read = log.read(p.getOffset(), (int) limit, committedOnly);
      describe(result, read.offsets()).setNextOffset(read.nextOffset());
      switch (read.status()) {
        case OK -> {
          for (byte[] batch : read.batches()) {
            result.addRecordBatches(UnsafeByteOperations.unsafeWrap(batch));
            total += batch.length;
          }
          if (read.batches().isEmpty()) {
            waits.add(log.awaitOffset(read.nextOffset(), committedOnly));
          }
        }
        case BEFORE_START -> result.setError(outOfRange(p, read.offsets()));
        case BEYOND_END -> {
          if (confirmedLeaders.contains(name(partition))) {
            result.setError(outOfRange(p, read.offsets()));
          } else if (confirmedLeaders.isEmpty()) {
            beyondEnd.add(partition);
          } else {
            result.setError(
                Errors.definite(
                    ErrorCode.LEADER_NOT_AVAILABLE,
                    "cannot confirm that this node still leads " + name(partition)));
          }
        }
        case CLOSED ->
            result.setError(
                Errors.definite(
                    ErrorCode.LEADER_NOT_AVAILABLE, name(partition) + " is closing on this node"));
      }
      response.addPartitions(result);
    }
    return new Reads(response.build(), total, waits, beyondEnd);
  }

  private static PartitionFetchResult.Builder describe(
      PartitionFetchResult.Builder result, PartitionStateMachine.LogOffsets offsets) {
    return result
        .setHighWatermark(offsets.next())
        .setLogStartOffset(offsets.start())
        .setLastStableOffset(offsets.lastStable());
  }

  private static Error outOfRange(PartitionFetch p, PartitionStateMachine.LogOffsets offsets) {
    return Errors.definite(
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
            + "]");
  }

  private static String name(LocalReplicas.Partition partition) {
    return partition.topic().getName() + "-" + partition.partition();
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
      PartitionStateMachine log =
          java.util.Objects.requireNonNull(resolved.partition()).stateMachine();
      PartitionStateMachine.LogOffsets offsets = log.offsets();
      if (q.getSpec() == OffsetSpec.OFFSET_SPEC_EARLIEST) {
        result.setOffset(offsets.start());
      } else if (q.getSpec() == OffsetSpec.OFFSET_SPEC_TIMESTAMP) {
        result.setOffset(log.offsetForTime(q.getTimestampMs())).setTimestampMs(q.getTimestampMs());
      } else if (request.getIsolationLevel() == IsolationLevel.READ_COMMITTED) {
        result.setOffset(offsets.lastStable());
      } else {
        result.setOffset(offsets.next());
      }
      response.addPartitions(result);
    }
    return response.build();
  }
}
