package dev.quorum.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreTest {
  private static final byte BATCH = 'b';
  private static final int BATCHES = 3_000;

  @TempDir Path dir;
  private final StorageEnvironment env = StorageEnvironment.small();

  @AfterEach
  void closeEnvironment() {
    env.close();
  }

  @Test
  void recordsAndStateWrittenTogetherAreBothThereAfterAReopen() throws Exception {
    try (Store store = Store.open(env, dir);
        WriteBatch batch = new WriteBatch()) {
      store.putRecords(batch, Keys.of(BATCH, 0), value(0).length, b -> b.put(value(0)));
      batch.put(Keys.of((byte) 'p', 7), value(7));
      store.write(batch);
      store.flush();
    }

    try (Store store = Store.open(env, dir)) {
      assertThat(records(store)).containsExactly(0L);
      assertThat(store.get(Keys.of((byte) 'p', 7))).isEqualTo(value(7));
      assertThat(store.get(Keys.of(BATCH, 0))).as("batches are not state").isNull();
    }
  }

  @Test
  void aStoreFromBeforeTheRecordsFamilyKeepsEveryBatchAndItsState() throws Exception {
    // The layout of earlier versions: batches and state side by side in the default family.
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB old = RocksDB.open(options, dir.toString())) {
      for (long offset = 0; offset < BATCHES; offset++) {
        old.put(Keys.of(BATCH, offset), value(offset));
      }
      old.put(Keys.of((byte) 'a', 1), value(-1));
      old.put(Keys.of((byte) 'p', 9), value(-9));
    }

    List<Long> expected = new ArrayList<>();
    for (long offset = 0; offset < BATCHES; offset++) {
      expected.add(offset);
    }
    for (int open = 0; open < 2; open++) {
      try (Store store = Store.open(env, dir)) {
        assertThat(store.moveToRecords(BATCH)).isEqualTo(open == 0 ? BATCHES : 0);

        assertThat(records(store)).as("open %d", open).isEqualTo(expected);
        try (RocksIterator it = store.newRecordsIterator()) {
          it.seek(Keys.of(BATCH, 1234));
          assertThat(it.value()).isEqualTo(value(1234));
        }
        assertThat(store.get(Keys.of(BATCH, 0))).as("moved, not copied").isNull();
        assertThat(store.get(Keys.of((byte) 'a', 1))).isEqualTo(value(-1));
        assertThat(store.get(Keys.of((byte) 'p', 9))).isEqualTo(value(-9));
      }
    }
  }

  private static List<Long> records(Store store) {
    List<Long> offsets = new ArrayList<>();
    try (RocksIterator it = store.newRecordsIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        assertThat(it.value()).isEqualTo(value(Keys.longAt(it.key(), 1)));
        offsets.add(Keys.longAt(it.key(), 1));
      }
    }
    return offsets;
  }

  /** A 4 KiB value naming its key, so that the move takes several write batches. */
  private static byte[] value(long key) {
    byte[] value = new byte[4096];
    byte[] name = Long.toString(key).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(name, 0, value, 0, name.length);
    return value;
  }
}
