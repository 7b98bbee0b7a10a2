package dev.quorum.statemachine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendBatches;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.GroupState;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.ProducerState;
import dev.quorum.protocol.raft.TransactionMarker;
import dev.quorum.protocol.raft.TransactionState;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.StorageEnvironment;
import dev.quorum.statemachine.storage.Store;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's replicated log. Applying an append assigns the next dense offsets and stores the
 * records as one batch under its base offset, plus a time-index entry, in the same write batch as
 * the applied index.
 *
 * <p>Reads run on request threads, concurrently with apply: they see only applied, hence committed,
 * records.
 */
public final class PartitionStateMachine extends RocksDbStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionStateMachine.class);

  static final byte BATCH = 'b';
  static final byte TIME_INDEX = 't';

  /** Aborted transactions: (end offset, producer id) -> first offset. */
  static final byte ABORTED = 'x';

  static final byte[] OFFSETS_KEY = {0, 'o'};

  private final AppendNotifier appends = new AppendNotifier();
  private final GroupStore groups = new GroupStore();
  private final ProducerStates producers = new ProducerStates();
  private final SourceOffsetStore sources = new SourceOffsetStore();
  private final TransactionStore transactions = new TransactionStore();

  /** Producer id -> first offset of its open transaction here. Apply thread only. */
  private final Map<Long, Long> openTransactions = new HashMap<>();

  private volatile LogOffsets offsets = LogOffsets.EMPTY;

  public PartitionStateMachine(StorageEnvironment env) {
    super(env);
  }

  /**
   * Partition state is read only by a replica that leads and has applied its first entry, which
   * waits for the store: the store can open in the background.
   */
  @Override
  protected boolean opensInBackground() {
    return true;
  }

  @Override
  protected void load(Store store) {
    long moved = store.moveToRecords(BATCH);
    if (moved > 0) {
      LOG.info(
          "{}: moved {} record batches into the store's records column family", getId(), moved);
    }
    byte[] stored = store.get(OFFSETS_KEY);
    groups.load(store);
    producers.load(store);
    transactions.load(store);
    openTransactions.clear();
    openTransactions.putAll(producers.openTransactions());
    offsets =
        stored == null
            ? LogOffsets.EMPTY.withFirstOpen(firstOpen())
            : new LogOffsets(
                Keys.longAt(stored, 0),
                Keys.longAt(stored, 8),
                Keys.longAt(stored, 16),
                firstOpen());
    appends.signal();
  }

  @Override
  protected ApplyResult apply(CodedInputStream entry, long index, WriteBatch batch) {
    PartitionCommand command;
    try {
      command = PartitionCommand.parser().parseFrom(entry);
    } catch (InvalidProtocolBufferException e) {
      // Every replica fails to parse the same bytes the same way: refuse it, deterministically,
      // rather than stopping the partition for good on every replica and every replay.
      return reject(ErrorCode.INVALID_REQUEST, "unreadable partition command at index " + index);
    }
    return switch (command.getCommandCase()) {
      case APPEND -> append(command.getAppend(), index, batch);
      case APPEND_BATCHES -> appendBatches(command.getAppendBatches(), index, batch);
      case GROUP -> applyGroup(command, batch);
      case MARKER -> applyMarker(command.getMarker(), batch);
      case TRANSACTION -> applyTransaction(command, batch);
      case COMMAND_NOT_SET -> reject(ErrorCode.INVALID_REQUEST, "empty partition command");
    };
  }

  private ApplyResult applyGroup(PartitionCommand command, WriteBatch batch) {
    var group = command.getGroup();
    if (!group.hasCommitTransactional()) {
      return withStore(store -> groups.apply(store, group, batch, PartitionStateMachine::reply));
    }
    var commit = group.getCommitTransactional();
    Error fenced = producers.checkEpoch(commit.getProducerId(), commit.getProducerEpoch());
    if (fenced != null) {
      return ApplyResult.of(reply(fenced));
    }
    boolean[] accepted = {false};
    ApplyResult stored =
        withStore(
            store ->
                groups.apply(
                    store,
                    group,
                    batch,
                    error -> {
                      accepted[0] = error == null;
                      return reply(error);
                    }));
    if (!accepted[0]) {
      return stored;
    }
    long offset = offsets.next();
    Runnable opened =
        withStore(
            store ->
                producers.transactionWrote(
                    commit.getProducerId(), commit.getProducerEpoch(), offset, batch));
    return new ApplyResult(
        stored.reply(),
        () -> {
          stored.publish().run();
          opened.run();
          openTransactions.putIfAbsent(commit.getProducerId(), offset);
          offsets = offsets.withFirstOpen(firstOpen());
        });
  }

  private ApplyResult applyTransaction(PartitionCommand command, WriteBatch batch) {
    return withStore(
        store -> transactions.apply(command.getTransaction(), batch, PartitionStateMachine::reply));
  }

  /**
   * Ends a producer's transaction here. An abort records the transaction's range in the aborted
   * index, so read_committed readers skip its records; either way the last stable offset moves on.
   */
  private ApplyResult applyMarker(TransactionMarker marker, WriteBatch batch) {
    LogOffsets before = offsets;
    long producerId = marker.getProducerId();
    return withStore(
        store -> {
          ProducerStates.MarkerOutcome outcome =
              producers.endTransaction(
                  producerId, marker.getProducerEpoch(), before.lastAppendTime(), batch);
          Runnable offsetsEnded = () -> {};
          if (outcome.closed()) {
            if (!marker.getCommit()) {
              batch.put(
                  Keys.of(ABORTED, before.next(), producerId), Keys.longs(outcome.firstOffset()));
            }
            offsetsEnded = groups.endTransaction(store, producerId, marker.getCommit(), batch);
          }
          Runnable groupsPublish = offsetsEnded;
          return new ApplyResult(
              reply(null),
              () -> {
                outcome.publish().run();
                groupsPublish.run();
                if (outcome.closed()) {
                  openTransactions.remove(producerId);
                  offsets = offsets.withFirstOpen(firstOpen());
                  appends.signal();
                }
              });
        });
  }

  private long firstOpen() {
    long first = Long.MAX_VALUE;
    for (long offset : openTransactions.values()) {
      first = Math.min(first, offset);
    }
    return first;
  }

  /** Runs an apply step that reads the store; RocksDB failures stop the state machine. */
  private <T> T withStore(StoreStep<T> step) {
    T result =
        read(
            store -> {
              try {
                return step.run(store);
              } catch (RocksDBException e) {
                throw new Store.StorageException("cannot build write batch", e);
              }
            });
    if (result == null) {
      throw new IllegalStateException("the store closed during apply");
    }
    return result;
  }

  @FunctionalInterface
  private interface StoreStep<T> {
    T run(Store store) throws RocksDBException;
  }

  private static byte[] reply(@Nullable Error error) {
    return (error == null
            ? PartitionCommandResult.getDefaultInstance()
            : PartitionCommandResult.newBuilder().setError(error).build())
        .toByteArray();
  }

  private ApplyResult append(AppendRecords append, long index, WriteBatch batch) {
    sources.startEntry();
    Appended appended = appendOne(append, index, batch, offsets, new HashMap<>());
    LogOffsets after = appended.after();
    return after == null
        ? ApplyResult.of(appended.reply().toByteArray())
        : new ApplyResult(
            appended.reply().toByteArray(),
            () -> {
              appended.publish().run();
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
    sources.startEntry();
    Map<Long, ProducerState> pendingProducers = new HashMap<>();
    List<Runnable> publishProducers = new ArrayList<>();
    LogOffsets last = offsets;
    for (AppendRecords append : entry.getBatchesList()) {
      Appended appended = appendOne(append, index, batch, last, pendingProducers);
      reply.addBatchResults(appended.reply());
      if (appended.after() != null) {
        last = appended.after();
        publishProducers.add(appended.publish());
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
   * visible about its producer (and transaction) once the write batch is written.
   */
  private record Appended(
      PartitionCommandResult reply, @Nullable LogOffsets after, @Nullable Runnable publish) {
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
    if (append.getTransactional() && append.getProducerId() == 0) {
      return Appended.refused(
          errorResult(ErrorCode.INVALID_REQUEST, "a transactional append needs a producer id"));
    }
    if (append.hasSourceOffsets() && append.getProducerId() != 0) {
      // The request id makes such a write safe to retry; a sequence number would be left
      // consumed by a refused write.
      return Appended.refused(
          errorResult(
              ErrorCode.INVALID_REQUEST, "source offsets are written without a producer id"));
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
    if (append.hasSourceOffsets()) {
      java.util.Optional<PartitionCommandResult> refused =
          withStore(store -> java.util.Optional.ofNullable(sources.check(store, append)));
      if (refused.isPresent()) {
        return Appended.refused(refused.get());
      }
    }
    // A new leader's clock may be behind the old one's; append times must not go backwards.
    long appendTime = Math.max(append.getAppendTimeMs(), before.lastAppendTime());
    long base = before.next();
    boolean opens =
        append.getTransactional() && !openTransactions.containsKey(append.getProducerId());
    long firstOpen =
        opens ? Math.min(before.firstOpenTransaction(), base) : before.firstOpenTransaction();
    LogOffsets after =
        new LogOffsets(before.start(), base + append.getRecordsCount(), appendTime, firstOpen);
    Runnable publishProducers;
    try {
      StoredBatch stored = StoredBatch.of(base, appendTime, append);
      store().putRecords(batch, Keys.of(BATCH, base), stored.size(), stored::writeTo);
      batch.put(Keys.of(TIME_INDEX, appendTime, base), new byte[0]);
      batch.put(OFFSETS_KEY, Keys.longs(after.start(), after.next(), after.lastAppendTime()));
      publishProducers =
          producers.appended(append, index, base, appendTime, batch, pendingProducers);
      if (append.hasSourceOffsets()) {
        sources.store(append.getSourceOffsets(), base, appendTime, batch);
      }
    } catch (RocksDBException e) {
      throw new Store.StorageException("cannot build write batch", e);
    }
    long producerId = append.getProducerId();
    return new Appended(
        PartitionCommandResult.newBuilder().setBaseOffset(base).setAppendTimeMs(appendTime).build(),
        after,
        () -> {
          publishProducers.run();
          if (opens) {
            // An earlier batch of the same coalesced entry may have opened it already.
            openTransactions.putIfAbsent(producerId, base);
          }
        });
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
    return read(offset, maxBytes, false);
  }

  /**
   * Like {@link #read(long, int)}; with {@code committedOnly}, reads only up to the last stable
   * offset and leaves out batches of aborted transactions.
   */
  public ReadResult read(long offset, int maxBytes, boolean committedOnly) {
    LogOffsets current = offsets;
    long bound = committedOnly ? current.lastStable() : current.next();
    if (offset < current.start()) {
      return new ReadResult(current, List.of(), offset, ReadStatus.BEFORE_START);
    }
    if (offset > current.next()) {
      return new ReadResult(current, List.of(), offset, ReadStatus.BEYOND_END);
    }
    if (offset >= bound) {
      return new ReadResult(current, List.of(), offset, ReadStatus.OK);
    }
    ReadResult result =
        read(
            store -> {
              List<byte[]> batches = new ArrayList<>();
              AbortedRanges aborted =
                  committedOnly ? AbortedRanges.read(store, offset, bound) : AbortedRanges.NONE;
              long next = bound;
              try (RocksIterator it = store.newRecordsIterator()) {
                it.seekForPrev(Keys.of(BATCH, offset));
                if (!it.isValid() || !Keys.hasPrefix(it.key(), BATCH)) {
                  it.seek(Keys.of(BATCH, offset));
                }
                // Batches left out count too, so a long aborted stretch is crossed in bounded
                // steps (nextOffset says where to go on).
                long scanned = 0;
                for (; it.isValid() && Keys.hasPrefix(it.key(), BATCH); it.next()) {
                  long base = Keys.longAt(it.key(), 1);
                  if (base >= bound) {
                    break;
                  }
                  byte[] value = it.value();
                  if (scanned > 0 && scanned + value.length > maxBytes) {
                    next = base;
                    break;
                  }
                  scanned += value.length;
                  if (!aborted.covers(value)) {
                    batches.add(value);
                  }
                }
              }
              return new ReadResult(current, batches, next, ReadStatus.OK);
            });
    return result == null ? new ReadResult(current, List.of(), offset, ReadStatus.CLOSED) : result;
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
    return awaitOffset(offset, false);
  }

  /**
   * Like {@link #awaitOffset(long)}; with {@code committedOnly}, waits for the last stable offset.
   */
  public CompletableFuture<Void> awaitOffset(long offset, boolean committedOnly) {
    return appends.await(() -> (committedOnly ? offsets.lastStable() : offsets.next()) > offset);
  }

  /** A transactional id coordinated through this partition, as last applied. */
  public Optional<TransactionState> transaction(String transactionalId) {
    return transactions.transaction(transactionalId);
  }

  /** Every transactional id coordinated through this partition. */
  public Map<String, TransactionState> transactions() {
    return transactions.transactions();
  }

  /** The source offsets {@code owner} stored here (with their next offset); empty when closing. */
  public List<dev.quorum.protocol.v1.SourceOffset> sourceOffsets(String owner) {
    List<dev.quorum.protocol.v1.SourceOffset> stored =
        read(store -> SourceOffsetStore.stored(store, owner));
    return stored == null ? List.of() : stored;
  }

  /** The producers this partition remembers, as last applied; empty when the replica is closing. */
  public List<ProducerState> producers() {
    List<ProducerState> states = read(ProducerStates::stored);
    return states == null ? List.of() : states;
  }

  /** Whether a group coordinated here has transactional offsets awaiting their outcome. */
  public boolean hasPendingTransactionalOffsets(String groupId) {
    return groups.hasPendingOffsets(groupId);
  }

  /**
   * The applied log's extent: [start, next), the last append time, and the first offset of the
   * oldest open transaction ({@link Long#MAX_VALUE} when none is open).
   */
  public record LogOffsets(long start, long next, long lastAppendTime, long firstOpenTransaction) {
    static final LogOffsets EMPTY = new LogOffsets(0, 0, 0, Long.MAX_VALUE);

    /** Below this offset every transaction has ended: what read_committed readers may see. */
    public long lastStable() {
      return Math.min(firstOpenTransaction, next);
    }

    LogOffsets withFirstOpen(long firstOpen) {
      return new LogOffsets(start, next, lastAppendTime, firstOpen);
    }
  }

  /**
   * Serialized record batches read from the log, and the offset to read next (after the batches and
   * any aborted ones left out).
   */
  public record ReadResult(
      LogOffsets offsets, List<byte[]> batches, long nextOffset, ReadStatus status) {}

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
