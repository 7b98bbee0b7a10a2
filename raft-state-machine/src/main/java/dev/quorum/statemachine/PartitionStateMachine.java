package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendBatches;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.GroupState;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.ProducerState;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.StorageEnvironment;
import dev.quorum.statemachine.storage.Store;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One partition's replicated log. Applying an append assigns the next dense offsets and stores the
 * records as one batch under its base offset, plus a time-index entry, in the same write batch as
 * the applied index.
 *
 * <p>Reads run on request threads, concurrently with apply: they see only applied, hence committed,
 * records.
 */
public final class PartitionStateMachine extends RocksDbStateMachine {
  static final byte BATCH = 'b';
  static final byte TIME_INDEX = 't';
  private static final byte[] OFFSETS_KEY = {0, 'o'};

  private final AppendNotifier appends = new AppendNotifier();
  private final GroupStore groups = new GroupStore();
  private final ProducerStates producers = new ProducerStates();
  private volatile LogOffsets offsets = LogOffsets.EMPTY;

  public PartitionStateMachine(StorageEnvironment env) {
    super(env);
  }

  @Override
  protected void load(Store store) {
    byte[] stored = store.get(OFFSETS_KEY);
    offsets =
        stored == null
            ? LogOffsets.EMPTY
            : new LogOffsets(
                Keys.longAt(stored, 0), Keys.longAt(stored, 8), Keys.longAt(stored, 16));
    groups.load(store);
    producers.load(store);
    appends.signal();
  }

  @Override
  protected ApplyResult apply(ByteBuffer entry, long index, WriteBatch batch) {
    PartitionCommand command;
    try {
      command = PartitionCommand.parseFrom(entry);
    } catch (InvalidProtocolBufferException e) {
      // Every replica fails to parse the same bytes the same way: refuse it, deterministically,
      // rather than stopping the partition for good on every replica and every replay.
      return reject(ErrorCode.INVALID_REQUEST, "unreadable partition command at index " + index);
    }
    return switch (command.getCommandCase()) {
      case APPEND -> append(command.getAppend(), index, batch);
      case APPEND_BATCHES -> appendBatches(command.getAppendBatches(), index, batch);
      case GROUP -> applyGroup(command, batch);
      case COMMAND_NOT_SET -> reject(ErrorCode.INVALID_REQUEST, "empty partition command");
    };
  }

  private ApplyResult applyGroup(PartitionCommand command, WriteBatch batch) {
    try {
      return groups.apply(
          command.getGroup(),
          batch,
          error ->
              (error == null
                      ? PartitionCommandResult.getDefaultInstance()
                      : PartitionCommandResult.newBuilder().setError(error).build())
                  .toByteArray());
    } catch (RocksDBException e) {
      throw new Store.StorageException("cannot build write batch", e);
    }
  }

  private ApplyResult append(AppendRecords append, long index, WriteBatch batch) {
    Appended appended = appendOne(append, index, batch, offsets, new HashMap<>());
    LogOffsets after = appended.after();
    return after == null
        ? ApplyResult.of(appended.reply().toByteArray())
        : new ApplyResult(
            appended.reply().toByteArray(),
            () -> {
              appended.publishProducers().run();
              offsets = after;
              appends.signal();
            });
  }

  /**
   * Several produce batches coalesced into one entry: each is applied like its own append, in
   * order, seeing the offsets and producer states the earlier ones left, all in the same write
   * batch; each gets its own result.
   */
  private ApplyResult appendBatches(AppendBatches entry, long index, WriteBatch batch) {
    if (entry.getBatchesCount() == 0) {
      return reject(ErrorCode.INVALID_REQUEST, "a coalesced append needs at least one batch");
    }
    PartitionCommandResult.Builder reply = PartitionCommandResult.newBuilder();
    Map<Long, ProducerState> pendingProducers = new HashMap<>();
    List<Runnable> publishProducers = new ArrayList<>();
    LogOffsets last = offsets;
    for (AppendRecords append : entry.getBatchesList()) {
      Appended appended = appendOne(append, index, batch, last, pendingProducers);
      reply.addBatchResults(appended.reply());
      if (appended.after() != null) {
        last = appended.after();
        publishProducers.add(appended.publishProducers());
      }
    }
    LogOffsets after = last;
    return new ApplyResult(
        reply.build().toByteArray(),
        () -> {
          publishProducers.forEach(Runnable::run);
          offsets = after;
          appends.signal();
        });
  }

  /**
   * What one append did: its reply, and when it appended, the log's new extent and what to make
   * visible about its producer once the write batch is written.
   */
  private record Appended(
      PartitionCommandResult reply,
      @Nullable LogOffsets after,
      @Nullable Runnable publishProducers) {
    static Appended refused(PartitionCommandResult reply) {
      return new Appended(reply, null, null);
    }
  }

  /**
   * Applies one batch on top of {@code before}; {@code pendingProducers} holds producer states
   * written earlier in the same entry (and gets this batch's).
   */
  private Appended appendOne(
      AppendRecords append,
      long index,
      WriteBatch batch,
      LogOffsets before,
      Map<Long, ProducerState> pendingProducers) {
    if (append.getRecordsCount() == 0) {
      return Appended.refused(
          errorResult(ErrorCode.INVALID_REQUEST, "an append needs at least one record"));
    }
    ProducerStates.Check check = producers.check(append, pendingProducers);
    if (check.error() != null) {
      return Appended.refused(PartitionCommandResult.newBuilder().setError(check.error()).build());
    }
    if (check.duplicateOf() != null) {
      // A retry of a batch this partition already has: answer with where it went.
      return Appended.refused(
          PartitionCommandResult.newBuilder()
              .setBaseOffset(check.duplicateOf().getBaseOffset())
              .setAppendTimeMs(check.duplicateOf().getAppendTimeMs())
              .setDuplicate(true)
              .build());
    }
    // A new leader's clock may be behind the old one's; append times must not go backwards.
    long appendTime = Math.max(append.getAppendTimeMs(), before.lastAppendTime());
    long base = before.next();
    RecordBatch.Builder stored =
        RecordBatch.newBuilder().setBaseOffset(base).setAppendTimeMs(appendTime);
    for (int i = 0; i < append.getRecordsCount(); i++) {
      stored.addRecords(append.getRecords(i).toBuilder().setOffsetDelta(i));
    }
    LogOffsets after = new LogOffsets(before.start(), base + append.getRecordsCount(), appendTime);
    Runnable publishProducers;
    try {
      batch.put(Keys.of(BATCH, base), stored.build().toByteArray());
      batch.put(Keys.of(TIME_INDEX, appendTime, base), new byte[0]);
      batch.put(OFFSETS_KEY, Keys.longs(after.start(), after.next(), after.lastAppendTime()));
      publishProducers =
          producers.appended(append, index, base, appendTime, batch, pendingProducers);
    } catch (RocksDBException e) {
      throw new Store.StorageException("cannot build write batch", e);
    }
    return new Appended(
        PartitionCommandResult.newBuilder().setBaseOffset(base).setAppendTimeMs(appendTime).build(),
        after,
        publishProducers);
  }

  private static PartitionCommandResult errorResult(ErrorCode code, String message) {
    return PartitionCommandResult.newBuilder()
        .setError(Error.newBuilder().setCode(code).setMessage(message))
        .build();
  }

  private static ApplyResult reject(ErrorCode code, String message) {
    return ApplyResult.of(
        PartitionCommandResult.newBuilder()
            .setError(Error.newBuilder().setCode(code).setMessage(message))
            .build()
            .toByteArray());
  }

  /** A consumer group coordinated through this partition, as last applied. */
  public Optional<GroupState> group(String groupId) {
    return groups.group(groupId);
  }

  /** Every consumer group coordinated through this partition. */
  public Map<String, GroupState> groups() {
    return groups.groups();
  }

  /** A group's committed offsets; empty when the replica is closing. */
  public List<CommittedOffset> committedOffsets(String groupId) {
    List<CommittedOffset> offsets = read(store -> groups.committed(store, groupId));
    return offsets == null ? List.of() : offsets;
  }

  /** The offsets of the applied log. */
  public LogOffsets offsets() {
    return offsets;
  }

  /**
   * Reads whole stored batches starting with the one that holds {@code offset}, up to about {@code
   * maxBytes} (always at least one batch when any is there). Each element is a serialized {@link
   * RecordBatch}.
   */
  public ReadResult read(long offset, int maxBytes) {
    LogOffsets current = offsets;
    if (offset < current.start()) {
      return new ReadResult(current, List.of(), ReadStatus.BEFORE_START);
    }
    if (offset > current.next()) {
      return new ReadResult(current, List.of(), ReadStatus.BEYOND_END);
    }
    if (offset == current.next()) {
      return new ReadResult(current, List.of(), ReadStatus.OK);
    }
    ReadResult result =
        read(
            store -> {
              List<byte[]> batches = new ArrayList<>();
              try (RocksIterator it = store.newIterator()) {
                it.seekForPrev(Keys.of(BATCH, offset));
                if (!it.isValid() || !Keys.hasPrefix(it.key(), BATCH)) {
                  it.seek(Keys.of(BATCH, offset));
                }
                long bytes = 0;
                for (; it.isValid() && Keys.hasPrefix(it.key(), BATCH); it.next()) {
                  if (Keys.longAt(it.key(), 1) >= current.next()) {
                    break;
                  }
                  byte[] value = it.value();
                  if (!batches.isEmpty() && bytes + value.length > maxBytes) {
                    break;
                  }
                  batches.add(value);
                  bytes += value.length;
                }
              }
              return new ReadResult(current, batches, ReadStatus.OK);
            });
    return result == null ? new ReadResult(current, List.of(), ReadStatus.CLOSED) : result;
  }

  /** The first offset appended at or after {@code timestampMs}, or -1 when there is none. */
  public long offsetForTime(long timestampMs) {
    Long found =
        read(
            store -> {
              try (RocksIterator it = store.newIterator()) {
                it.seek(Keys.of(TIME_INDEX, timestampMs, 0));
                return it.isValid() && Keys.hasPrefix(it.key(), TIME_INDEX)
                    ? Keys.longAt(it.key(), 9)
                    : -1L;
              }
            });
    return found == null || found < 0 ? -1 : Math.max(found, offsets.start());
  }

  /** Completes once a record at or after {@code offset} is readable (or the log is reloaded). */
  public CompletableFuture<Void> awaitOffset(long offset) {
    return appends.await(() -> offsets.next() > offset);
  }

  /** The applied log's extent: [start, next) and the last append time. */
  public record LogOffsets(long start, long next, long lastAppendTime) {
    static final LogOffsets EMPTY = new LogOffsets(0, 0, 0);
  }

  /** Serialized record batches read from the log. */
  public record ReadResult(LogOffsets offsets, List<byte[]> batches, ReadStatus status) {}

  /** Whether a read could be served. */
  public enum ReadStatus {
    OK,
    /** The offset is below the log start: those records are gone. */
    BEFORE_START,
    /**
     * The offset is past this replica's end. Only a replica known to be the current leader may call
     * that out of range: a deposed leader cut off from its group can simply be behind.
     */
    BEYOND_END,
    /** The replica is closing or swapping in a snapshot. */
    CLOSED
  }
}
