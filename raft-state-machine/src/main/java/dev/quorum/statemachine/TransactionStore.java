package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.TransactionCommand;
import dev.quorum.protocol.raft.TransactionState;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The transactional ids a partition of {@code __transactions} coordinates: each id's producer,
 * epoch, open transaction and how its last transaction ended. The coordinator computes each new
 * state; a stored version makes concurrent coordinators (an old leader and a new one) exclusive.
 */
final class TransactionStore {
  private static final byte TRANSACTION = 'T';

  /** Replaced as a whole (copy on write) so readers need no lock. */
  private volatile Map<String, TransactionState> transactions = Map.of();

  void load(Store store) {
    Map<String, TransactionState> loaded = new TreeMap<>();
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(new byte[] {TRANSACTION});
          it.isValid() && Keys.hasPrefix(it.key(), TRANSACTION);
          it.next()) {
        TransactionState state = TransactionState.parseFrom(it.value());
        loaded.put(state.getTransactionalId(), state);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt transaction state", e);
    }
    transactions = Collections.unmodifiableMap(loaded);
  }

  Map<String, TransactionState> transactions() {
    return transactions;
  }

  Optional<TransactionState> transaction(String transactionalId) {
    return Optional.ofNullable(transactions.get(transactionalId));
  }

  ApplyResult apply(TransactionCommand command, WriteBatch batch, Function<Error, byte[]> reply)
      throws RocksDBException {
    String id = command.getTransactionalId();
    long version = transaction(id).map(TransactionState::getVersion).orElse(0L);
    if (version != command.getExpectedVersion()) {
      return ApplyResult.of(
          reply.apply(
              Error.newBuilder()
                  .setCode(ErrorCode.CONCURRENT_TRANSACTIONS)
                  .setMessage("transactional id " + id + " changed concurrently")
                  .build()));
    }
    TransactionState stored =
        command.getState().toBuilder().setTransactionalId(id).setVersion(version + 1).build();
    batch.put(Keys.of(TRANSACTION, id), stored.toByteArray());
    return new ApplyResult(
        reply.apply(null),
        () -> {
          Map<String, TransactionState> copy = new TreeMap<>(transactions);
          copy.put(id, stored);
          transactions = Collections.unmodifiableMap(copy);
        });
  }
}
