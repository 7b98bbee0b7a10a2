package dev.quorum.node;

import dev.quorum.protocol.raft.AppendBatches;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Merges concurrent produce batches for one partition into one Raft entry. Raft's cost is per entry
 * (an fsync on each replica, a round of messages), not per byte, so while one entry of a partition
 * is being committed, the batches that arrive queue up and then go together as one {@code
 * AppendBatches} entry. A batch that finds its partition idle goes at once, alone: coalescing never
 * adds latency, it only uses the time a batch would wait anyway.
 *
 * <p>Each batch keeps its own idempotence check and its own result (see PartitionStateMachine). A
 * failure of the entry itself (not leader, timeout) is every batch's failure, as it would have been
 * had each been its own entry.
 *
 * <p>A producer may have several batches of a partition in flight, in separate requests that gRPC
 * threads hand over in any order. Waiting batches of one producer id and epoch are kept in sequence
 * order, so batches that arrive swapped while the partition is busy are still appended in order
 * rather than answered OUT_OF_ORDER_SEQUENCE (which would cost the producer a resend).
 */
final class ProduceCoalescer {
  /** Hands a command to the partition's Raft group; {@link RaftSubmitter#submit} in a node. */
  interface Submitter {
    CompletableFuture<PartitionCommandResult> submit(
        LocalReplicas.Partition partition, PartitionCommand command, long timeoutMs);
  }

  private final Submitter submitter;
  private final int maxEntryBytes;
  private final ConcurrentHashMap<RaftGroupId, Lane> lanes = new ConcurrentHashMap<>();

  /**
   * @param maxEntryBytes the most bytes of batches merged into one entry (a single larger batch
   *     still goes, alone)
   */
  ProduceCoalescer(Submitter submitter, int maxEntryBytes) {
    this.submitter = submitter;
    this.maxEntryBytes = maxEntryBytes;
  }

  /** Completes with the batch's own result once its entry is committed and applied. */
  CompletableFuture<PartitionCommandResult> append(
      LocalReplicas.Partition partition, AppendRecords append, long timeoutMs) {
    Pending pending = new Pending(append, timeoutMs, new CompletableFuture<>());
    boolean[] goNow = {false};
    lanes.compute(
        partition.groupId(),
        (id, lane) -> {
          Lane l = lane == null ? new Lane() : lane;
          if (l.busy) {
            l.enqueue(pending);
          } else {
            l.busy = true;
            goNow[0] = true;
          }
          return l;
        });
    if (goNow[0]) {
      submit(partition, List.of(pending));
    }
    return pending.result;
  }

  /** The number of partitions with an entry in flight. */
  int busyPartitions() {
    return lanes.size();
  }

  private void submit(LocalReplicas.Partition partition, List<Pending> entry) {
    PartitionCommand command;
    long timeoutMs = 0;
    if (entry.size() == 1) {
      command = PartitionCommand.newBuilder().setAppend(entry.get(0).append()).build();
      timeoutMs = entry.get(0).timeoutMs();
    } else {
      AppendBatches.Builder batches = AppendBatches.newBuilder();
      for (Pending p : entry) {
        batches.addBatches(p.append());
        timeoutMs = Math.max(timeoutMs, p.timeoutMs());
      }
      command = PartitionCommand.newBuilder().setAppendBatches(batches).build();
    }
    CompletableFuture<PartitionCommandResult> submitted;
    try {
      submitted = submitter.submit(partition, command, timeoutMs);
    } catch (RuntimeException e) {
      submitted = CompletableFuture.failedFuture(e);
    }
    submitted.whenComplete(
        (result, failure) -> {
          try {
            complete(entry, result, failure);
          } finally {
            next(partition);
          }
        });
  }

  private static void complete(
      List<Pending> entry, PartitionCommandResult result, Throwable failure) {
    if (failure != null || result == null) {
      PartitionCommandResult error =
          PartitionCommandResult.newBuilder()
              .setError(
                  Errors.indeterminate(
                      ErrorCode.INTERNAL,
                      "produce failed: " + (failure == null ? "no result" : failure)))
              .build();
      entry.forEach(p -> p.result().complete(error));
      return;
    }
    if (entry.size() == 1) {
      entry.get(0).result().complete(result);
      return;
    }
    if (result.hasError() || result.getBatchResultsCount() != entry.size()) {
      // The entry as a whole failed (or was refused): so did each of its batches.
      PartitionCommandResult error =
          result.hasError()
              ? result
              : PartitionCommandResult.newBuilder()
                  .setError(
                      Errors.indeterminate(
                          ErrorCode.INTERNAL,
                          "a coalesced entry of "
                              + entry.size()
                              + " batches got "
                              + result.getBatchResultsCount()
                              + " results"))
                  .build();
      entry.forEach(p -> p.result().complete(error));
      return;
    }
    for (int i = 0; i < entry.size(); i++) {
      entry.get(i).result().complete(result.getBatchResults(i));
    }
  }

  /** Sends what queued up meanwhile as the partition's next entry, or marks the partition idle. */
  private void next(LocalReplicas.Partition partition) {
    List<Pending> entry = new ArrayList<>();
    lanes.compute(
        partition.groupId(),
        (id, lane) -> {
          if (lane == null || lane.queue.isEmpty()) {
            return null; // idle: forget the partition, so the map only holds busy ones
          }
          long bytes = 0;
          while (!lane.queue.isEmpty()) {
            int size = lane.queue.peek().append().getSerializedSize() + 8;
            if (!entry.isEmpty() && bytes + size > maxEntryBytes) {
              break;
            }
            entry.add(lane.queue.poll());
            bytes += size;
          }
          return lane;
        });
    if (!entry.isEmpty()) {
      submit(partition, entry);
    }
  }

  private record Pending(
      AppendRecords append, long timeoutMs, CompletableFuture<PartitionCommandResult> result) {}

  /** A partition with an entry in flight, and the batches waiting for the next one. */
  private static final class Lane {
    boolean busy;
    final LinkedList<Pending> queue = new LinkedList<>();

    /**
     * Appends, but ahead of any waiting batch of the same producer and epoch with a later sequence.
     */
    void enqueue(Pending pending) {
      AppendRecords a = pending.append();
      if (a.getProducerId() != 0) {
        for (ListIterator<Pending> it = queue.listIterator(); it.hasNext(); ) {
          AppendRecords waiting = it.next().append();
          if (waiting.getProducerId() == a.getProducerId()
              && waiting.getProducerEpoch() == a.getProducerEpoch()
              && waiting.getBaseSequence() > a.getBaseSequence()) {
            it.previous();
            it.add(pending);
            return;
          }
        }
      }
      queue.addLast(pending);
    }
  }
}
