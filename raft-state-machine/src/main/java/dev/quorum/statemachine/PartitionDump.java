package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads a stopped partition replica's store directly from disk: every stored batch, as the state
 * machine wrote it, and whether an abort marker covers it. For tools that audit replicas (the chaos
 * suite's replica dumps); a running node never uses it. The store must be closed: a store opened by
 * a node holds writes in its memtable that are not on disk (its RocksDB WAL is off), and a clean
 * stop flushes them.
 */
public final class PartitionDump {
  static {
    RocksDB.loadLibrary();
  }

  private PartitionDump() {}

  /** One stored batch, and whether its transaction was aborted. */
  public record Batch(RecordBatch batch, boolean aborted) {}

  /** A replica's log: [start, end) and its batches in offset order. */
  public record Contents(long start, long end, List<Batch> batches) {}

  /** Whether {@code storeDir} holds a partition store (a group directory's {@code db}). */
  public static boolean isStore(Path storeDir) {
    return Files.isRegularFile(storeDir.resolve("CURRENT"));
  }

  /** Reads the store at {@code storeDir} (read-only; nothing is written). */
  public static Contents read(Path storeDir) {
    List<ColumnFamilyHandle> families = new ArrayList<>();
    try (DBOptions options = new DBOptions();
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        RocksDB db =
            RocksDB.openReadOnly(
                options, storeDir.toString(), Store.families(familyOptions), families)) {
      try {
        byte[] stored = db.get(PartitionStateMachine.OFFSETS_KEY);
        long start = stored == null ? 0 : Keys.longAt(stored, 0);
        long end = stored == null ? 0 : Keys.longAt(stored, 8);
        AbortedRanges aborted;
        try (RocksIterator it = db.newIterator()) {
          aborted = AbortedRanges.read(it, -1, Long.MAX_VALUE);
        }
        List<Batch> batches = new ArrayList<>();
        try (RocksIterator it = db.newIterator(families.get(1))) {
          for (it.seek(new byte[] {PartitionStateMachine.BATCH});
              it.isValid() && Keys.hasPrefix(it.key(), PartitionStateMachine.BATCH);
              it.next()) {
            byte[] value = it.value();
            batches.add(new Batch(RecordBatch.parseFrom(value), aborted.covers(value)));
          }
        }
        return new Contents(start, end, List.copyOf(batches));
      } finally {
        // Before the store itself closes.
        families.forEach(ColumnFamilyHandle::close);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the store at " + storeDir, e);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt record batch in " + storeDir, e);
    }
  }
}
