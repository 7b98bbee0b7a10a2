package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.Record;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

/** Several Raft entries of one partition in flight at once, and the order they are submitted in. */
class PipelinedCoalescerTest {
  private final LocalReplicas.Partition p0 =
      new LocalReplicas.Partition(
          TopicRecord.newBuilder().setName("t").build(),
          0,
          RaftGroupId.valueOf(UUID.randomUUID()),
          null);

  @Test
  void batchesGoAtOnceUpToTheLimitThenQueueAndGoTogetherAsOneEntryWhenASlotFrees() {
    Recording raft = new Recording();
    List<CompletableFuture<PartitionCommandResult>> submitted = raft.submitted;
    List<PartitionCommand> commands = raft.commands;
    ProduceCoalescer coalescer = new ProduceCoalescer(raft, 100_000, 3, 0);

    List<CompletableFuture<PartitionCommandResult>> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      results.add(coalescer.append(p0, sequenced(1, i), 1_000));
    }
    // Three entries in flight, each a lone batch; the other three wait.
    assertThat(commands).hasSize(3).allMatch(PartitionCommand::hasAppend);
    assertThat(coalescer.peakEntriesInFlight()).isEqualTo(3);

    // Any entry completing frees a slot: the waiting batches go together, in sequence order.
    submitted.get(1).complete(offset(1));
    assertThat(commands).hasSize(4);
    assertThat(commands.get(3).getAppendBatches().getBatchesList())
        .extracting(AppendRecords::getBaseSequence)
        .containsExactly(3, 4, 5);
    assertThat(results.get(1).join().getBaseOffset()).isEqualTo(1);

    submitted.get(0).complete(offset(0));
    submitted.get(2).complete(offset(2));
    submitted
        .get(3)
        .complete(
            PartitionCommandResult.newBuilder()
                .addBatchResults(offset(3))
                .addBatchResults(offset(4))
                .addBatchResults(offset(5))
                .build());
    assertThat(results)
        .extracting(f -> f.join().getBaseOffset())
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(coalescer.busyPartitions()).isZero();
  }

  @Test
  void whileAnEntryIsInFlightSmallBatchesWaitToCoalesceAndGoOnceEnoughBytesWait() {
    Recording raft = new Recording();
    List<CompletableFuture<PartitionCommandResult>> submitted = raft.submitted;
    List<PartitionCommand> commands = raft.commands;
    ProduceCoalescer coalescer = new ProduceCoalescer(raft, 100_000, 3, 2_000);

    for (int i = 0; i < 4; i++) {
      coalescer.append(p0, sequenced(1, i), 1_000);
    }
    // Only the first goes: three small batches are not worth a second entry in flight.
    assertThat(commands).hasSize(1);

    AppendRecords big =
        sequenced(1, 4).toBuilder()
            .addRecords(
                Record.newBuilder()
                    .setValue(ByteString.copyFrom(new byte[3_000]))
                    .build()
                    .toByteString())
            .build();
    coalescer.append(p0, big, 1_000);
    assertThat(commands).hasSize(2);
    assertThat(commands.get(1).getAppendBatches().getBatchesList())
        .extracting(AppendRecords::getBaseSequence)
        .containsExactly(1, 2, 3, 4);
    assertThat(coalescer.peakEntriesInFlight()).isEqualTo(2);
  }

  @Test
  void concurrentProducersNeverHaveTwoSubmissionsAtOnceNorMoreThanTheLimitInFlightAndKeepOrder()
      throws Exception {
    int limit = 3;
    int producers = 4;
    int perProducer = 400;
    AtomicInteger submitting = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger overLimit = new AtomicInteger();
    List<AppendRecords> log = Collections.synchronizedList(new ArrayList<>());
    ExecutorService completer = Executors.newSingleThreadExecutor();
    ProduceCoalescer coalescer =
        new ProduceCoalescer(
            (partition, command, timeoutMs) -> {
              if (submitting.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              if (inFlight.incrementAndGet() > limit) {
                overLimit.incrementAndGet();
              }
              List<AppendRecords> batches =
                  command.hasAppend()
                      ? List.of(command.getAppend())
                      : command.getAppendBatches().getBatchesList();
              // "Appended to the log" before this returns, as Ratis does.
              log.addAll(batches);
              submitting.decrementAndGet();
              CompletableFuture<PartitionCommandResult> result = new CompletableFuture<>();
              completer.execute(
                  () -> {
                    inFlight.decrementAndGet();
                    PartitionCommandResult.Builder r = PartitionCommandResult.newBuilder();
                    if (command.hasAppend()) {
                      result.complete(r.build());
                    } else {
                      batches.forEach(
                          b -> r.addBatchResults(PartitionCommandResult.getDefaultInstance()));
                      result.complete(r.build());
                    }
                  });
              return result;
            },
            100_000,
            limit,
            0);

    ExecutorService senders = Executors.newFixedThreadPool(producers);
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<PartitionCommandResult>> results = new ArrayList<>();
    try {
      List<java.util.concurrent.Future<List<CompletableFuture<PartitionCommandResult>>>> sent =
          new ArrayList<>();
      for (int p = 1; p <= producers; p++) {
        long producerId = p;
        sent.add(
            senders.submit(
                () -> {
                  start.await();
                  List<CompletableFuture<PartitionCommandResult>> mine = new ArrayList<>();
                  for (int s = 0; s < perProducer; s++) {
                    mine.add(coalescer.append(p0, sequenced(producerId, s), 1_000));
                  }
                  return mine;
                }));
      }
      start.countDown();
      for (var f : sent) {
        results.addAll(f.get(30, TimeUnit.SECONDS));
      }
      for (var r : results) {
        r.get(30, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdownNow();
      completer.shutdownNow();
    }

    assertThat(overlaps.get()).as("submissions overlapping for one partition").isZero();
    assertThat(overLimit.get()).as("submissions beyond the in-flight limit").isZero();
    assertThat(coalescer.peakEntriesInFlight()).isBetween(1, limit);
    assertThat(log).hasSize(producers * perProducer);
    Map<Long, Integer> next = new ConcurrentHashMap<>();
    for (AppendRecords a : log) {
      int expected = next.getOrDefault(a.getProducerId(), 0);
      assertThat(a.getBaseSequence()).as("producer %d", a.getProducerId()).isEqualTo(expected);
      next.put(a.getProducerId(), expected + 1);
    }
    assertThat(coalescer.busyPartitions()).isZero();
  }

  /** A Raft stand-in that keeps each submitted command and leaves its completion to the test. */
  private static final class Recording implements ProduceCoalescer.Submitter {
    final List<CompletableFuture<PartitionCommandResult>> submitted = new ArrayList<>();
    final List<PartitionCommand> commands = new ArrayList<>();

    @Override
    public CompletableFuture<PartitionCommandResult> submit(
        LocalReplicas.Partition partition, PartitionCommand command, long timeoutMs) {
      CompletableFuture<PartitionCommandResult> f = new CompletableFuture<>();
      submitted.add(f);
      commands.add(command);
      return f;
    }
  }

  private static AppendRecords sequenced(long producerId, int sequence) {
    return AppendRecords.newBuilder()
        .addRecords(
            Record.newBuilder()
                .setValue(ByteString.copyFromUtf8(producerId + ":" + sequence))
                .build()
                .toByteString())
        .setProducerId(producerId)
        .setBaseSequence(sequence)
        .build();
  }

  private static PartitionCommandResult offset(long base) {
    return PartitionCommandResult.newBuilder().setBaseOffset(base).build();
  }
}
