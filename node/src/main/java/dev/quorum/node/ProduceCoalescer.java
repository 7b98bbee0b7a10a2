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
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Merges concurrent produce batches for one partition into Raft entries, and keeps up to a few of
 * them in flight. Raft's cost is per entry (an fsync on each replica, a round of messages), not per
 * byte, so the batches that arrive while a partition already has its limit of entries in flight
 * queue up and then go together as one {@code AppendBatches} entry. A batch that finds its
 * partition idle goes at once, alone. While entries are in flight, waiting batches go as another
 * entry only once enough bytes have queued (see the constructor), otherwise when an entry
 * completes.
 *
 * <p>Several entries in flight per partition let one partition's throughput exceed (entry size) /
 * (commit round trip): Ratis replicates and fsyncs consecutive entries of a group together. Entries
 * enter the Raft log in the order they were taken from the queue, because only one thread at a time
 * submits for a partition and a submission returns only once Ratis has appended the entry to the
 * leader's log (index assigned). A later entry can therefore only commit if every earlier one of
 * the same term did. If an earlier entry fails before it is appended (not leader, leader not ready)
 * while a later one commits, the state machine's sequence check refuses the later batches of the
 * same producer with OUT_OF_ORDER_SEQUENCE, and the producer resends them, as Kafka's does.
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
    /**
     * Must return only once the command is in the leader's log (or has failed), so that commands
     * submitted one after the other by one thread are appended in that order.
     */
    CompletableFuture<PartitionCommandResult> submit(
        LocalReplicas.Partition partition, PartitionCommand command, long timeoutMs);
  }

  private final Submitter submitter;
  private final int maxEntryBytes;
  private final int maxEntriesInFlight;
  private final int minPipelinedBytes;
  private final ConcurrentHashMap<RaftGroupId, Lane> lanes = new ConcurrentHashMap<>();
  private final AtomicInteger peakEntriesInFlight = new AtomicInteger();

  /**
   * @param maxEntryBytes the most bytes of batches merged into one entry (a single larger batch
   *     still goes, alone)
   * @param maxEntriesInFlight the most entries of one partition submitted and not yet completed
   * @param minPipelinedBytes the least bytes of waiting batches that go as an entry while another
   *     entry of the partition is in flight; fewer wait for an entry to complete. Each entry costs
   *     an fsync on every replica and an apply, so at low rates several small entries in flight
   *     cost more than they save: one interleaved comparison at 100 records/s of 1 KiB found four
   *     lone-record entries in flight at about twice the median latency of one entry with the rest
   *     coalesced behind it (not conclusive: two clusters on this machine differed as much).
   */
  ProduceCoalescer(
      Submitter submitter, int maxEntryBytes, int maxEntriesInFlight, int minPipelinedBytes) {
    if (maxEntriesInFlight < 1) {
      throw new IllegalArgumentException("maxEntriesInFlight must be at least 1");
    }
    this.submitter = submitter;
    this.maxEntryBytes = maxEntryBytes;
    this.maxEntriesInFlight = maxEntriesInFlight;
    this.minPipelinedBytes = minPipelinedBytes;
  }

  /** Completes with the batch's own result once its entry is committed and applied. */
  CompletableFuture<PartitionCommandResult> append(
      LocalReplicas.Partition partition, AppendRecords append, long timeoutMs) {
    Pending pending = new Pending(append, timeoutMs, new CompletableFuture<>());
    boolean[] drain = {false};
    lanes.compute(
        partition.groupId(),
        (id, lane) -> {
          Lane l = lane == null ? new Lane() : lane;
          l.enqueue(pending);
          drain[0] = l.claimSubmitter(maxEntriesInFlight, minPipelinedBytes);
          return l;
        });
    if (drain[0]) {
      drain(partition);
    }
    return pending.result;
  }

  /** The number of partitions with an entry in flight or batches waiting. */
  int busyPartitions() {
    return lanes.size();
  }

  /** The most entries one partition had in flight at once since this coalescer was made. */
  int peakEntriesInFlight() {
    return peakEntriesInFlight.get();
  }

  /**
   * Submits entries from the queue while {@link Lane#canSend} allows. Only the thread that claimed
   * the lane's submitter role runs this, so entries are appended in queue order.
   */
  private void drain(LocalReplicas.Partition partition) {
    while (true) {
      List<Pending> entry = new ArrayList<>();
      lanes.compute(
          partition.groupId(),
          (id, lane) -> {
            if (lane == null) {
              return null;
            }
            if (!lane.canSend(maxEntriesInFlight, minPipelinedBytes)) {
              lane.submitting = false;
              return lane.idle() ? null : lane;
            }
            long bytes = 0;
            while (!lane.queue.isEmpty()) {
              int size = lane.queue.peek().cost();
              if (!entry.isEmpty() && bytes + size > maxEntryBytes) {
                break;
              }
              entry.add(lane.queue.poll());
              lane.queuedBytes -= size;
              bytes += size;
            }
            lane.inFlight++;
            peakEntriesInFlight.accumulateAndGet(lane.inFlight, Math::max);
            return lane;
          });
      if (entry.isEmpty()) {
        return;
      }
      submit(partition, entry);
    }
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
            entryDone(partition);
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

  /** Frees the entry's slot and, unless another thread is submitting, sends what queued up. */
  private void entryDone(LocalReplicas.Partition partition) {
    boolean[] drain = {false};
    lanes.compute(
        partition.groupId(),
        (id, lane) -> {
          if (lane == null) {
            return null;
          }
          lane.inFlight--;
          drain[0] = lane.claimSubmitter(maxEntriesInFlight, minPipelinedBytes);
          // An idle partition is forgotten, so the map only holds busy ones.
          return lane.idle() ? null : lane;
        });
    if (drain[0]) {
      drain(partition);
    }
  }

  private record Pending(
      AppendRecords append, long timeoutMs, CompletableFuture<PartitionCommandResult> result) {
    /** Bytes this batch adds to an entry: its encoding plus the repeated field's framing. */
    int cost() {
      return append.getSerializedSize() + 8;
    }
  }

  /** A partition's entries in flight, and the batches waiting for a later one. */
  private static final class Lane {
    int inFlight;

    /**
     * Whether a thread is in {@link #drain}: the only one that may submit this partition's entries.
     */
    boolean submitting;

    final LinkedList<Pending> queue = new LinkedList<>();

    /** The serialized bytes (plus 8 per batch) of the waiting batches. */
    long queuedBytes;

    /** Takes the submitter role if something can be sent now and nobody holds the role. */
    boolean claimSubmitter(int maxEntriesInFlight, int minPipelinedBytes) {
      if (submitting || !canSend(maxEntriesInFlight, minPipelinedBytes)) {
        return false;
      }
      submitting = true;
      return true;
    }

    /** An idle partition sends anything; a busy one only enough bytes, up to the entry limit. */
    boolean canSend(int maxEntriesInFlight, int minPipelinedBytes) {
      if (queue.isEmpty() || inFlight >= maxEntriesInFlight) {
        return false;
      }
      return inFlight == 0 || queuedBytes >= minPipelinedBytes;
    }

    boolean idle() {
      return inFlight == 0 && !submitting && queue.isEmpty();
    }

    /**
     * Appends, but ahead of any waiting batch of the same producer and epoch with a later sequence.
     */
    void enqueue(Pending pending) {
      AppendRecords a = pending.append();
      queuedBytes += pending.cost();
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
