package dev.quorum.statemachine.storage;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * RocksDB resources shared by every store of one node: one block cache and one write-buffer
 * manager, so memory stays bounded as the number of partitions grows instead of multiplying per
 * partition.
 */
public final class StorageEnvironment implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final LRUCache blockCache;
  private final WriteBufferManager writeBufferManager;
  private final BloomFilter bloomFilter;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions familyOptions;
  private final WriteOptions writeOptions;
  private final DirectBuffers directBuffers = new DirectBuffers();

  /**
   * Opens partition stores in the background, several at once: an open is mostly waiting for
   * fsyncs, so a few in parallel start a thousand partitions several times faster than one by one.
   */
  private final ExecutorService opener;

  public StorageEnvironment(long blockCacheBytes, long writeBufferBytes) {
    this.blockCache = new LRUCache(blockCacheBytes);
    this.writeBufferManager = new WriteBufferManager(writeBufferBytes, blockCache);
    this.bloomFilter = new BloomFilter(10);
    BlockBasedTableConfig table =
        new BlockBasedTableConfig().setBlockCache(blockCache).setFilterPolicy(bloomFilter);
    this.dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            // The WAL is off (below), so a flush is the only way writes reach disk: flush every
            // column family together, so that what survives a crash is one prefix of the writes.
            .setAtomicFlush(true)
            .setWriteBufferManager(writeBufferManager)
            .setMaxOpenFiles(256)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
            .setKeepLogFileNum(1)
            .setMaxLogFileSize(1L << 20)
            // A node opens one store per partition replica at startup: skip reading every SST
            // file's properties then (they only tune compaction estimates).
            .setSkipStatsUpdateOnDbOpen(true);
    this.familyOptions =
        new ColumnFamilyOptions()
            .setTableFormatConfig(table)
            .setWriteBufferSize(16L << 20)
            .setMaxWriteBufferNumber(2)
            .setCompressionType(CompressionType.LZ4_COMPRESSION);
    // The Raft log is the write-ahead log: a crash loses only what Raft replays from its log.
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    AtomicInteger openers = new AtomicInteger();
    this.opener =
        Executors.newFixedThreadPool(
            OPENER_THREADS,
            r -> {
              Thread t = new Thread(r, "store-opener-" + openers.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  private static final int OPENER_THREADS = 4;

  /** Where stores open in the background. */
  public Executor opener() {
    return opener;
  }

  /** A small environment for tests and single-partition tools. */
  public static StorageEnvironment small() {
    return new StorageEnvironment(8L << 20, 32L << 20);
  }

  DBOptions dbOptions() {
    return dbOptions;
  }

  ColumnFamilyOptions familyOptions() {
    return familyOptions;
  }

  WriteOptions writeOptions() {
    return writeOptions;
  }

  DirectBuffers directBuffers() {
    return directBuffers;
  }

  @Override
  public void close() {
    opener.shutdownNow();
    writeOptions.close();
    familyOptions.close();
    dbOptions.close();
    writeBufferManager.close();
    bloomFilter.close();
    blockCache.close();
  }
}
