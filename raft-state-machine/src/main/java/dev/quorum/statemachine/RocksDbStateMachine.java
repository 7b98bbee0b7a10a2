package dev.quorum.statemachine;

import com.google.protobuf.CodedInputStream;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.StorageEnvironment;
import dev.quorum.statemachine.storage.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.FileUtils;
import org.apache.ratis.util.LifeCycle;
import org.jspecify.annotations.Nullable;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Ratis state machine whose state lives in its own RocksDB store, with the Raft log as the
 * store's write-ahead log.
 *
 * <p>Every applied entry writes its changes and the applied (term, index) in one write batch, so
 * the store is always exactly the state after some entry. After a crash the store holds what was
 * last flushed; entries at or below its applied index are skipped when Ratis replays them, so
 * nothing is applied twice. A snapshot flushes the store and checkpoints it under {@code sm/};
 * Ratis may then purge the log up to that index, because everything below it is durable in SST
 * files.
 */
public abstract class RocksDbStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbStateMachine.class);
  private static final byte[] APPLIED_KEY = {0, 'a'};

  /** Room in an entry's write batch for keys, batch headers and producer state besides records. */
  private static final int BATCH_SLACK = 1024;

  private final StorageEnvironment env;
  private final CheckpointSnapshots snapshots = new CheckpointSnapshots();

  /** Readers hold it shared; swapping the store after a snapshot install holds it exclusively. */
  private final ReadWriteLock storeLock = new ReentrantReadWriteLock();

  private @Nullable Store store;
  private @Nullable Path liveDir;

  /** The applied index the store held when it was opened: entries up to it are already in it. */
  private long durableIndex = -1;

  /**
   * Completes once the store of {@link #initialize} is open. Opening a RocksDB store costs several
   * fsyncs, and Ratis starts groups one at a time, so with a thousand partitions opening them
   * serially dominated both topic creation and node startup. Partition stores open on the
   * environment's opener threads instead; everything that touches the store waits for this.
   */
  private volatile CompletableFuture<Void> opened = CompletableFuture.completedFuture(null);

  protected RocksDbStateMachine(StorageEnvironment env) {
    this.env = env;
  }

  /**
   * Applies one entry: puts its changes into {@code batch} and returns the reply. Deterministic.
   * The {@code bytes} fields parsed from {@code entry} share the log entry's array (see {@link
   * LogEntryBytes}).
   */
  protected abstract ApplyResult apply(CodedInputStream entry, long index, WriteBatch batch);

  /**
   * Whether this state machine holds partition records; the seeded bug {@code
   * unflushed-snapshot-index} breaks only those, so the chaos checks on records catch it.
   */
  protected boolean hasRecords() {
    return true;
  }

  /** Loads the in-memory view of a freshly opened store. */
  protected abstract void load(Store store);

  /**
   * Whether {@link #initialize} may return before the store is open (it then opens on the
   * environment's opener threads). A state machine whose in-memory view is read without going
   * through the store (the metadata) must say false.
   */
  protected boolean opensInBackground() {
    return false;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    getLifeCycle()
        .startAndTransition(
            () -> {
              super.initialize(server, groupId, raftStorage);
              snapshots.init(raftStorage);
              SnapshotInfo snapshot = snapshots.getLatestSnapshot();
              if (snapshot != null) {
                // Ratis loads the log after this method returns.
                TornLogTail.dropOpenSegmentBehindSnapshot(
                    raftStorage,
                    snapshot.getIndex(),
                    RaftServerConfigKeys.Log.Appender.bufferByteLimit(server.getProperties()));
              }
              liveDir = raftStorage.getStorageDir().getRoot().toPath().resolve("db");
              // Ratis replays from the snapshot index; entries between it and the store's applied
              // index are skipped once the store is open.
              setLastAppliedTermIndex(
                  snapshot == null ? TermIndex.INITIAL_VALUE : snapshot.getTermIndex());
              if (opensInBackground()) {
                opened =
                    CompletableFuture.runAsync(
                        () -> {
                          try {
                            openStore(false);
                          } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                          }
                        },
                        env.opener());
              } else {
                openStore(false);
              }
            });
  }

  /** Waits until the store of {@link #initialize} is open; fails if opening it failed. */
  private void awaitOpen() {
    try {
      opened.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new Store.StorageException(getId() + ": cannot open store", e);
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public @Nullable SnapshotInfo getLatestSnapshot() {
    return snapshots.getLatestSnapshot();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    awaitOpen();
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    if (index <= durableIndex) {
      updateLastAppliedTermIndex(entry.getTerm(), index);
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    CodedInputStream data = LogEntryBytes.input(entry.getStateMachineLogEntry().getLogData());
    ApplyResult result;
    // Sized for the entry up front: grown by doubling, the batch copied itself several times per
    // entry in RocksDB's native code.
    try (WriteBatch batch = new WriteBatch(entry.getSerializedSize() + BATCH_SLACK)) {
      result = apply(data, index, batch);
      batch.put(APPLIED_KEY, Keys.longs(entry.getTerm(), index));
      store().write(batch);
    } catch (org.rocksdb.RocksDBException e) {
      // Thrown, not returned: Ratis then stops this replica instead of acknowledging a lost write.
      throw new Store.StorageException("cannot build write batch", e);
    }
    result.publish().run();
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(result.reply())));
  }

  /**
   * Ratis calls this instead of {@link #applyTransaction} for configuration and metadata entries.
   * Waiting for the store here too means the applied index never moves while the store is still
   * opening: a new leader is ready, and a read index is reached, only once the store is open, so no
   * reader sees the empty view of a store that has not been loaded yet.
   */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    awaitOpen();
    super.notifyTermIndexUpdated(term, index);
  }

  /**
   * Reads go to the local store directly; a read request through Ratis only confirms leadership
   * (its read index) and answers with nothing.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  @Override
  public long takeSnapshot() throws IOException {
    awaitOpen();
    TermIndex applied = getLastAppliedTermIndex();
    SnapshotInfo current = snapshots.getLatestSnapshot();
    long currentIndex = current == null ? RaftLog.INVALID_LOG_INDEX : current.getIndex();
    // While replay is still below what the store already holds, the store is ahead of `applied`: a
    // checkpoint now would be labelled with the wrong index.
    if (applied == null
        || applied.getIndex() <= currentIndex
        || applied.getIndex() < durableIndex) {
      return currentIndex;
    }
    Store s = store();
    // Ratis runs this on the apply thread with no apply in progress, so the store is exactly
    // `applied`.
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(APPLIED_KEY, Keys.longs(applied.getTerm(), applied.getIndex()));
      s.write(batch);
    } catch (org.rocksdb.RocksDBException e) {
      throw new IOException(e);
    }
    Path target = snapshots.pathFor(applied);
    if (Files.exists(target)) {
      FileUtils.deleteFully(target);
    }
    if (SeededBugs.isOn(SeededBugs.Bug.UNFLUSHED_SNAPSHOT_INDEX) && hasRecords()) {
      s.copyFlushedFiles(target);
    } else {
      s.flush();
      s.checkpoint(target);
    }
    snapshots.publish(applied);
    LOG.debug("{}: snapshot at {}", getId(), applied);
    return applied.getIndex();
  }

  @Override
  public void pause() {
    LifeCycle lifeCycle = getLifeCycle();
    if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
      lifeCycle.transition(LifeCycle.State.PAUSING);
      lifeCycle.transition(LifeCycle.State.PAUSED);
    }
  }

  /** Called after Ratis installed a snapshot from the leader into {@code sm/}. */
  @Override
  public void reinitialize() throws IOException {
    awaitOpen();
    snapshots.reload();
    openStore(true);
    LifeCycle lifeCycle = getLifeCycle();
    if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
      lifeCycle.transition(LifeCycle.State.STARTING);
      lifeCycle.transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      opened.join();
    } catch (java.util.concurrent.CompletionException e) {
      LOG.warn("{}: the store never opened", getId(), e);
    }
    storeLock.writeLock().lock();
    try {
      if (store != null) {
        store.close();
        store = null;
      }
    } finally {
      storeLock.writeLock().unlock();
    }
    super.close();
  }

  /**
   * Runs a read against the store, excluding a concurrent store swap. Returns null when the state
   * machine is closed.
   */
  protected <T> @Nullable T read(java.util.function.Function<Store, T> reader) {
    awaitOpen();
    storeLock.readLock().lock();
    try {
      return store == null ? null : reader.apply(store);
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** The open store, for the apply thread (which runs only while the store is open). */
  protected Store store() {
    Store s = store;
    if (s == null) {
      throw new IllegalStateException(getId() + ": store is closed");
    }
    return s;
  }

  /**
   * Opens the live store, first replacing it with the newest checkpoint when the checkpoint is
   * ahead: after a snapshot install, or when a crash interrupted the copy of one.
   */
  private void openStore(boolean installed) throws IOException {
    storeLock.writeLock().lock();
    try {
      if (store != null) {
        store.close();
        store = null;
      }
      Path live = java.util.Objects.requireNonNull(liveDir);
      var newest = snapshots.newest();
      long liveIndex = Files.exists(live) ? appliedIndexOf(live) : -1;
      if (newest.isPresent() && newest.get().termIndex().getIndex() > liveIndex) {
        restore(newest.get().dir(), live);
        LOG.info(
            "{}: restored store from checkpoint {}{}",
            getId(),
            newest.get().termIndex(),
            installed ? " installed from the leader" : "");
      }
      Store opened = Store.open(env, live);
      byte[] applied = opened.get(APPLIED_KEY);
      durableIndex = applied == null ? -1 : Keys.longAt(applied, 8);
      load(opened);
      store = opened;
      if (installed) {
        // Ratis goes on from the installed snapshot's index. (At startup, initialize set it before
        // the store opened: by now Ratis may have moved it past configuration entries.)
        SnapshotInfo snapshot = snapshots.getLatestSnapshot();
        setLastAppliedTermIndex(
            snapshot == null ? TermIndex.INITIAL_VALUE : snapshot.getTermIndex());
      }
    } finally {
      storeLock.writeLock().unlock();
    }
  }

  private long appliedIndexOf(Path dir) {
    try (Store s = Store.open(env, dir)) {
      byte[] applied = s.get(APPLIED_KEY);
      return applied == null ? -1 : Keys.longAt(applied, 8);
    }
  }

  /** Copies a checkpoint into place; the rename makes a half-finished copy invisible. */
  private static void restore(Path checkpoint, Path live) throws IOException {
    Path staging = live.resolveSibling(live.getFileName() + ".restoring");
    if (Files.exists(staging)) {
      FileUtils.deleteFully(staging);
    }
    Files.createDirectories(staging);
    for (Path file : CheckpointSnapshots.dataFiles(checkpoint)) {
      Path target = staging.resolve(checkpoint.relativize(file).toString());
      Files.createDirectories(target.getParent());
      // SST files never change once written, so they can be shared; RocksDB rewrites the others.
      if (file.getFileName().toString().endsWith(".sst")) {
        Files.createLink(target, file);
      } else {
        Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    if (Files.exists(live)) {
      FileUtils.deleteFully(live);
    }
    Files.move(staging, live, StandardCopyOption.ATOMIC_MOVE);
  }
}
