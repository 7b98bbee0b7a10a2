package dev.quorum.statemachine.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One RocksDB instance holding one replicated state machine's data. Writes skip the RocksDB WAL
 * (the Raft log is the WAL), so only what {@link #flush()} made durable survives a crash.
 */
public final class Store implements AutoCloseable {
  private final StorageEnvironment env;
  private final Path dir;
  private final RocksDB db;

  private Store(StorageEnvironment env, Path dir, RocksDB db) {
    this.env = env;
    this.dir = dir;
    this.db = db;
  }

  public static Store open(StorageEnvironment env, Path dir) {
    try {
      Files.createDirectories(dir);
      return new Store(env, dir, RocksDB.open(env.options(), dir.toString()));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("cannot open store at " + dir, e);
    }
  }

  public byte @Nullable [] get(byte[] key) {
    try {
      return db.get(key);
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

  /** An iterator over a consistent view; the caller closes it. */
  public RocksIterator newIterator() {
    return db.newIterator();
  }

  /** Makes every write so far durable in SST files, waiting for the flush to finish. */
  public void flush() {
    try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
      db.flush(options);
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
