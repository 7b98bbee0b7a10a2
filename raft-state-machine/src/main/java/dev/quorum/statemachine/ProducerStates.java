package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.ProducerBatch;
import dev.quorum.protocol.raft.ProducerState;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * What a partition remembers about each idempotent producer: its epoch and its last few batches. It
 * is written in the same RocksDB write batch as the records it describes, so it survives exactly
 * what the records survive: restarts, leader changes and snapshot installs.
 *
 * <p>Only the apply thread touches this class.
 */
final class ProducerStates {
  /**
   * Retries of any of a producer's last 16 batches are recognised (Kafka remembers five). A
   * producer may have as many batches of a partition in flight as are remembered: with an fsync on
   * every replica before the acknowledgement, a commit takes longer than Kafka's, and one
   * producer's throughput per partition is the bytes it keeps in flight per commit round trip.
   */
  static final int REMEMBERED_BATCHES = 16;

  /** A producer silent this long (by append time) is forgotten. */
  static final long EXPIRY_MS = 7L * 24 * 60 * 60 * 1000;

  /**
   * Expired producers are swept at log indexes divisible by this: the log index, unlike a counter
   * in memory, is the same on every replica and across restarts, so every replica forgets a
   * producer at the same entry.
   */
  private static final int SWEEP_EVERY = 1024;

  private static final byte PRODUCER = 'p';
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ProducerStates.class);

  private final Map<Long, ProducerState> producers = new HashMap<>();

  void load(Store store) {
    producers.clear();
    for (ProducerState state : stored(store)) {
      producers.put(state.getProducerId(), state);
    }
  }

  /** The producer states in the store; safe on any thread, unlike the rest of this class. */
  static List<ProducerState> stored(Store store) {
    List<ProducerState> states = new ArrayList<>();
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(new byte[] {PRODUCER});
          it.isValid() && Keys.hasPrefix(it.key(), PRODUCER);
          it.next()) {
        states.add(ProducerState.parseFrom(it.value()));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt producer state", e);
    }
    return states;
  }

  /** The outcome of checking a batch against its producer's state. */
  record Check(@Nullable Error error, @Nullable ProducerBatch duplicateOf) {
    static final Check APPEND = new Check(null, null);
  }

  /** Whether {@code append} is new, a retry of a stored batch, or not acceptable. */
  Check check(AppendRecords append) {
    return check(append, Map.of());
  }

  /**
   * Like {@link #check(AppendRecords)}, seeing {@code pending}: the states written by earlier
   * batches of the same entry, which are not visible here until that entry is written.
   */
  Check check(AppendRecords append, Map<Long, ProducerState> pending) {
    if (append.getProducerId() == 0) {
      return Check.APPEND;
    }
    ProducerState state = current(append.getProducerId(), pending);
    if (state == null) {
      // Unknown (new, or expired): any sequence starts the producer's history here.
      return Check.APPEND;
    }
    if (append.getTransactional()) {
      Error refused = checkTransactional(state, append.getProducerEpoch());
      if (refused != null) {
        return new Check(refused, null);
      }
    }
    Error fenced = fenced(state, append.getProducerEpoch());
    if (fenced != null) {
      return new Check(fenced, null);
    }
    if (append.getProducerEpoch() > state.getEpoch()) {
      return append.getBaseSequence() == 0
          ? Check.APPEND
          : new Check(
              error(
                  ErrorCode.OUT_OF_ORDER_SEQUENCE,
                  "a new epoch must start at sequence 0, got " + append.getBaseSequence()),
              null);
    }
    if (state.getBatchesCount() == 0) {
      // The epoch's first batch here (a transaction marker starts each epoch with no batches).
      return append.getBaseSequence() == 0
          ? Check.APPEND
          : new Check(
              error(
                  ErrorCode.OUT_OF_ORDER_SEQUENCE,
                  "epoch "
                      + state.getEpoch()
                      + " must start at sequence 0, got "
                      + append.getBaseSequence()),
              null);
    }
    int last = lastSequence(append);
    for (ProducerBatch batch : state.getBatchesList()) {
      if (batch.getBaseSequence() == append.getBaseSequence() && batch.getLastSequence() == last) {
        if (SeededBugs.isOn(SeededBugs.Bug.SKIP_DEDUPE)) {
          return Check.APPEND;
        }
        return new Check(null, batch);
      }
    }
    int expected = state.getBatches(state.getBatchesCount() - 1).getLastSequence() + 1;
    if (append.getBaseSequence() != expected) {
      return new Check(
          error(
              ErrorCode.OUT_OF_ORDER_SEQUENCE,
              "producer "
                  + append.getProducerId()
                  + " sent sequence "
                  + append.getBaseSequence()
                  + " but "
                  + expected
                  + " is next"),
          null);
    }
    return Check.APPEND;
  }

  /**
   * Refuses a transactional write that does not belong to the producer's open transaction here, or
   * that comes from the transaction a marker just ended (which the coordinator decided on, for
   * example after the transaction timed out): the producer must abort, not die.
   */
  private static @Nullable Error checkTransactional(ProducerState state, int epoch) {
    if (state.getTransactionOpen() && epoch > state.getTransactionEpoch()) {
      // Only a marker may end a transaction: never let a newer one absorb its records.
      return error(
          ErrorCode.INVALID_TXN_STATE,
          "producer "
              + state.getProducerId()
              + " still has a transaction of epoch "
              + state.getTransactionEpoch()
              + " open here");
    }
    if (!state.getTransactionOpen()
        && state.getBatchesCount() == 0
        && epoch == state.getEpoch() - 1) {
      return error(
          ErrorCode.INVALID_TXN_STATE,
          "the transaction of producer "
              + state.getProducerId()
              + " epoch "
              + epoch
              + " has ended (aborted after its timeout?)");
    }
    return null;
  }

  /** An error if {@code epoch} is older than the producer's current epoch here, else null. */
  @Nullable Error checkEpoch(long producerId, int epoch) {
    ProducerState state = producers.get(producerId);
    return state == null ? null : fenced(state, epoch);
  }

  private static @Nullable Error fenced(ProducerState state, int epoch) {
    return epoch >= state.getEpoch()
        ? null
        : error(
            ErrorCode.PRODUCER_FENCED,
            "producer "
                + state.getProducerId()
                + " epoch "
                + epoch
                + " was fenced by epoch "
                + state.getEpoch());
  }

  /**
   * Records that the producer's transaction wrote something here at {@code offset} without a batch
   * of records (transactional group offsets): the transaction is open from then on.
   */
  Runnable transactionWrote(long producerId, int epoch, long offset, WriteBatch batch)
      throws RocksDBException {
    ProducerState previous = producers.get(producerId);
    ProducerState.Builder next =
        previous == null || previous.getEpoch() != epoch
            ? newEpoch(producerId, epoch, previous)
            : previous.toBuilder();
    if (!next.getTransactionOpen()) {
      next.setTransactionOpen(true).setTransactionFirstOffset(offset).setTransactionEpoch(epoch);
    }
    return put(next.build(), batch);
  }

  /** What a transaction marker did in this partition. */
  record MarkerOutcome(boolean closed, long firstOffset, Runnable publish) {}

  /**
   * Ends the producer's open transaction if the marker is for it, and moves the producer to the
   * next epoch here so that nothing delayed from the ended transaction is accepted afterwards. A
   * marker older than the producer's epoch here is stale (its transaction ended long ago, and a
   * newer one may be open): it changes nothing.
   */
  MarkerOutcome endTransaction(long producerId, int epoch, long appendTime, WriteBatch batch)
      throws RocksDBException {
    ProducerState previous = producers.get(producerId);
    boolean open = previous != null && previous.getTransactionOpen();
    boolean closes = open && previous.getTransactionEpoch() == epoch;
    if (!closes && previous != null && previous.getEpoch() > epoch) {
      return new MarkerOutcome(false, 0, () -> {});
    }
    ProducerState.Builder next =
        ProducerState.newBuilder()
            .setProducerId(producerId)
            .setEpoch(previous == null ? epoch + 1 : Math.max(previous.getEpoch(), epoch + 1))
            .setLastAppendTimeMs(appendTime);
    if (open && !closes) {
      // Never apply one transaction's outcome to another's records: a stuck last stable offset
      // is the lesser evil, and it is loud.
      LOG.error(
          "producer {}: a marker for epoch {} leaves its transaction of epoch {} open: that"
              + " transaction was never registered with its coordinator",
          producerId,
          epoch,
          previous.getTransactionEpoch());
      next.setTransactionOpen(true)
          .setTransactionFirstOffset(previous.getTransactionFirstOffset())
          .setTransactionEpoch(previous.getTransactionEpoch());
    }
    long first = closes ? previous.getTransactionFirstOffset() : 0;
    return new MarkerOutcome(closes, first, put(next.build(), batch));
  }

  /** The first offset of each open transaction here, by producer id. */
  Map<Long, Long> openTransactions() {
    Map<Long, Long> open = new HashMap<>();
    for (ProducerState state : producers.values()) {
      if (state.getTransactionOpen()) {
        open.put(state.getProducerId(), state.getTransactionFirstOffset());
      }
    }
    return open;
  }

  private static ProducerState.Builder newEpoch(
      long producerId, int epoch, @Nullable ProducerState previous) {
    ProducerState.Builder next =
        ProducerState.newBuilder().setProducerId(producerId).setEpoch(epoch);
    if (previous != null && previous.getTransactionOpen()) {
      // Never forget an open transaction: only its marker may end it.
      next.setTransactionOpen(true)
          .setTransactionFirstOffset(previous.getTransactionFirstOffset())
          .setTransactionEpoch(previous.getTransactionEpoch());
    }
    return next;
  }

  private Runnable put(ProducerState state, WriteBatch batch) throws RocksDBException {
    batch.put(Keys.of(PRODUCER, state.getProducerId()), state.toByteArray());
    return () -> producers.put(state.getProducerId(), state);
  }

  /**
   * Records an appended batch in {@code batch}; returns what to make visible once written. Also
   * forgets, now and then, producers silent for {@link #EXPIRY_MS} of append time.
   */
  Runnable appended(
      AppendRecords append, long index, long baseOffset, long appendTime, WriteBatch batch)
      throws RocksDBException {
    return appended(append, index, baseOffset, appendTime, batch, new HashMap<>());
  }

  /**
   * Like {@link #appended(AppendRecords, long, long, long, WriteBatch)} for one of several batches
   * of one entry: builds on and adds to {@code pending}, and never expires a producer that an
   * earlier batch of the entry wrote.
   */
  Runnable appended(
      AppendRecords append,
      long index,
      long baseOffset,
      long appendTime,
      WriteBatch batch,
      Map<Long, ProducerState> pending)
      throws RocksDBException {
    Map<Long, ProducerState> changed = new HashMap<>();
    if (append.getProducerId() != 0) {
      ProducerState previous = current(append.getProducerId(), pending);
      ProducerState.Builder next =
          previous == null || previous.getEpoch() != append.getProducerEpoch()
              ? newEpoch(append.getProducerId(), append.getProducerEpoch(), previous)
              : previous.toBuilder();
      if (append.getTransactional() && !next.getTransactionOpen()) {
        next.setTransactionOpen(true)
            .setTransactionFirstOffset(baseOffset)
            .setTransactionEpoch(append.getProducerEpoch());
      }
      next.addBatches(
              ProducerBatch.newBuilder()
                  .setBaseSequence(append.getBaseSequence())
                  .setLastSequence(lastSequence(append))
                  .setBaseOffset(baseOffset)
                  .setAppendTimeMs(appendTime))
          .setLastAppendTimeMs(appendTime);
      while (next.getBatchesCount() > REMEMBERED_BATCHES) {
        next.removeBatches(0);
      }
      ProducerState state = next.build();
      batch.put(Keys.of(PRODUCER, state.getProducerId()), state.toByteArray());
      changed.put(state.getProducerId(), state);
      pending.put(state.getProducerId(), state);
    }
    List<Long> expired = new ArrayList<>();
    if (index % SWEEP_EVERY == 0) {
      for (ProducerState state : producers.values()) {
        if (appendTime - state.getLastAppendTimeMs() > EXPIRY_MS
            && !state.getTransactionOpen()
            && !changed.containsKey(state.getProducerId())
            && !pending.containsKey(state.getProducerId())) {
          batch.delete(Keys.of(PRODUCER, state.getProducerId()));
          expired.add(state.getProducerId());
        }
      }
    }
    return () -> {
      producers.putAll(changed);
      expired.forEach(producers::remove);
    };
  }

  private @Nullable ProducerState current(long producerId, Map<Long, ProducerState> pending) {
    ProducerState written = pending.get(producerId);
    return written != null ? written : producers.get(producerId);
  }

  private static int lastSequence(AppendRecords append) {
    return append.getBaseSequence() + append.getRecordsCount() - 1;
  }

  private static Error error(ErrorCode code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }
}
