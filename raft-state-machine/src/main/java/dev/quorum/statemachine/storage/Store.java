package dev.quorum.statemachine.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One RocksDB instance holding one replicated state machine's data. Writes skip the RocksDB WAL
 * (the Raft log is the WAL), so only what {@link #flush()} made durable survives a crash.
 *
 * <p>Record batches live in a column family of their own, {@value #RECORDS}: their keys only ever
 * grow, so each flushed file follows the previous one and compaction moves files down without
 * rewriting them. Mixed with the state rewritten on every append (applied index, producer states),
 * every flushed file overlapped all the others, and compaction rewrote the whole log again and
 * again.
 */
public final class Store implements AutoCloseable {
  static final String RECORDS = "records";

  private final StorageEnvironment env;
  private final Path dir;
  private final RocksDB db;
  private final ColumnFamilyHandle state;
  private final ColumnFamilyHandle records;

  private Store(StorageEnvironment env, Path dir, RocksDB db, List<ColumnFamilyHandle> families) {
    this.env = env;
    this.dir = dir;
    this.db = db;
    this.state = families.get(0);
    this.records = families.get(1);
  }

  public static Store open(StorageEnvironment env, Path dir) {
    try {
      Files.createDirectories(dir);
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db =
          RocksDB.open(env.dbOptions(), dir.toString(), families(env.familyOptions()), handles);
      return new Store(env, dir, db, handles);
    } catch (RocksDBException | IOException e) {
      throw new StorageException("cannot open store at " + dir, e);
    }
  }

  /** The column families of a store, state first; for tools that open a store themselves. */
  public static List<ColumnFamilyDescriptor> families(ColumnFamilyOptions options) {
    return List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options),
        new ColumnFamilyDescriptor(RECORDS.getBytes(StandardCharsets.UTF_8), options));
  }

  public byte @Nullable [] get(byte[] key) {
    try {
      return db.get(state, key);
    } catch (RocksDBException e) {
      throw new StorageException("read failed in " + dir, e);
    }
  }

  public void write(WriteBatch batch) {
    try {
      db.write(env.writeOptions(), batch);
    } catch (RocksDBException e) {
      throw new StorageException("write failed in " + dir, e);
    }
  }

  /**
   * Adds a record batch to {@code batch}, to be written with the rest of it: {@code value} writes
   * the batch's {@code size} bytes into the buffer it is given, from its position on.
   */
  public void putRecords(WriteBatch batch, byte[] key, int size, Consumer<ByteBuffer> value)
      throws RocksDBException {
    DirectBuffers buffers = env.directBuffers();
    ByteBuffer buffer = buffers.borrow(key.length + size);
    try {
      ByteBuffer keyBytes = buffer.slice(0, key.length).put(key).flip();
      ByteBuffer valueBytes = buffer.slice(key.length, size);
      value.accept(valueBytes);
      if (valueBytes.hasRemaining()) {
        throw new IllegalStateException(
            "a record batch wrote " + valueBytes.position() + " of its " + size + " bytes");
      }
      // RocksDB copies both into the write batch before this returns.
      batch.put(records, keyBytes, valueBytes.flip());
    } finally {
      buffers.release(buffer);
    }
  }

  /** An iterator over a consistent view of the state (all but record batches); caller closes. */
  public RocksIterator newIterator() {
    return db.newIterator(state);
  }

  /** An iterator over a consistent view of the record batches; the caller closes it. */
  public RocksIterator newRecordsIterator() {
    return db.newIterator(records);
  }

  /**
   * Moves the keys starting with {@code prefix} from the state into the records column family: a
   * store written before record batches had a column family of their own. Safe to repeat after a
   * crash at any point: the state keeps its copy until the moved keys are flushed. Returns how many
   * keys moved.
   */
  public long moveToRecords(byte prefix) {
    byte[] from = {prefix};
    byte[] to = {(byte) (prefix + 1)};
    long moved = 0;
    try (RocksIterator it = db.newIterator(state)) {
      for (it.seek(from); it.isValid() && Keys.hasPrefix(it.key(), prefix); ) {
        try (WriteBatch batch = new WriteBatch()) {
          for (;
              it.isValid() && Keys.hasPrefix(it.key(), prefix) && batch.getDataSize() < 4 << 20;
              it.next()) {
            batch.put(records, it.key(), it.value());
            moved++;
          }
          write(batch);
        }
      }
      if (moved > 0) {
        flush();
        db.deleteRange(state, env.writeOptions(), from, to);
        flush();
      }
      return moved;
    } catch (RocksDBException e) {
      throw new StorageException(
          "cannot move record batches into their column family in " + dir, e);
    }
  }

  /** Makes every write so far durable in SST files, waiting for the flush to finish. */
  public void flush() {
    try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
      db.flush(options, List.of(state, records));
    } catch (RocksDBException e) {
      throw new StorageException("flush failed in " + dir, e);
    }
  }

  /**
   * Writes a checkpoint (hard links to the SST files) into {@code target}, which must not exist.
   */
  public void checkpoint(Path target) {
    try (Checkpoint checkpoint = Checkpoint.create(db)) {
      checkpoint.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new StorageException("checkpoint to " + target + " failed", e);
    }
  }

  /**
   * Copies only what is already in SST files into {@code target}, without flushing: the writes
   * still in the memtable are missing from it. Exists only for the seeded bug {@code
   * unflushed-snapshot-index}; a real snapshot uses {@link #checkpoint}.
   */
  public void copyFlushedFiles(Path target) {
    try {
      db.disableFileDeletions();
      try {
        RocksDB.LiveFiles live = db.getLiveFiles(false);
        Files.createDirectories(target);
        for (String name : live.files) {
          Path source = dir.resolve(name.substring(1));
          Path copy = target.resolve(name.substring(1));
          if (name.endsWith(".sst")) {
            Files.createLink(copy, source);
          } else if (name.startsWith("/MANIFEST")) {
            try (var in = Files.newInputStream(source)) {
              Files.write(copy, in.readNBytes(Math.toIntExact(live.manifestFileSize)));
            }
          } else {
            Files.copy(source, copy);
          }
        }
      } finally {
        db.enableFileDeletions();
      }
    } catch (RocksDBException | IOException e) {
      throw new StorageException("copy of the flushed files to " + target + " failed", e);
    }
  }

  @Override
  public void close() {
    state.close();
    records.close();
    db.close();
  }

  /** A RocksDB failure: the store cannot be trusted and the state machine must stop. */
  public static final class StorageException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Exception cause) {
      super(message, new IOException(cause));
    }
  }
}
