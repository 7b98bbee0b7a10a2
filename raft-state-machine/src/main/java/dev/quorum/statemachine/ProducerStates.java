package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.ProducerBatch;
import dev.quorum.protocol.raft.ProducerState;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.util.HashMap;
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
  /** Retries of any of a producer's last five batches are recognised, like Kafka's. */
  static final int REMEMBERED_BATCHES = 5;

  /** A producer silent this long (by append time) is forgotten. */
  static final long EXPIRY_MS = 7L * 24 * 60 * 60 * 1000;

  /**
   * Expired producers are swept at log indexes divisible by this: the log index, unlike a counter
   * in memory, is the same on every replica and across restarts, so every replica forgets a
   * producer at the same entry.
   */
  private static final int SWEEP_EVERY = 1024;

  private static final byte PRODUCER = 'p';

  private final Map<Long, ProducerState> producers = new HashMap<>();

  void load(Store store) {
    producers.clear();
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(new byte[] {PRODUCER});
          it.isValid() && Keys.hasPrefix(it.key(), PRODUCER);
          it.next()) {
        ProducerState state = ProducerState.parseFrom(it.value());
        producers.put(state.getProducerId(), state);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt producer state", e);
    }
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
    if (append.getProducerEpoch() < state.getEpoch()) {
      return new Check(
          error(
              ErrorCode.PRODUCER_FENCED,
              "producer "
                  + append.getProducerId()
                  + " epoch "
                  + append.getProducerEpoch()
                  + " was fenced by epoch "
                  + state.getEpoch()),
          null);
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
    int last = lastSequence(append);
    for (ProducerBatch batch : state.getBatchesList()) {
      if (batch.getBaseSequence() == append.getBaseSequence() && batch.getLastSequence() == last) {
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
              ? ProducerState.newBuilder()
                  .setProducerId(append.getProducerId())
                  .setEpoch(append.getProducerEpoch())
              : previous.toBuilder();
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
    java.util.List<Long> expired = new java.util.ArrayList<>();
    if (index % SWEEP_EVERY == 0) {
      for (ProducerState state : producers.values()) {
        if (appendTime - state.getLastAppendTimeMs() > EXPIRY_MS
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
