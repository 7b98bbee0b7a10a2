package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksIterator;

/** The aborted transactions whose records overlap a read, by producer id: [first, end) ranges. */
final class AbortedRanges {
  static final AbortedRanges NONE = new AbortedRanges(Map.of());

  private final Map<Long, List<long[]>> byProducer;

  private AbortedRanges(Map<Long, List<long[]>> byProducer) {
    this.byProducer = byProducer;
  }

  /** Aborted transactions that end after {@code from} and start before {@code bound}. */
  static AbortedRanges read(Store store, long from, long bound) {
    try (RocksIterator it = store.newIterator()) {
      return read(it, from, bound);
    }
  }

  /** Like {@link #read(Store, long, long)}, through an iterator over a store's keys. */
  static AbortedRanges read(RocksIterator it, long from, long bound) {
    Map<Long, List<long[]>> ranges = new HashMap<>();
    // Keyed by end offset, so everything ending at or before the read's start is skipped.
    for (it.seek(Keys.of(PartitionStateMachine.ABORTED, from + 1, 0));
        it.isValid() && Keys.hasPrefix(it.key(), PartitionStateMachine.ABORTED);
        it.next()) {
      long end = Keys.longAt(it.key(), 1);
      long producerId = Keys.longAt(it.key(), 9);
      long first = Keys.longAt(it.value(), 0);
      if (first < bound) {
        ranges.computeIfAbsent(producerId, p -> new ArrayList<>()).add(new long[] {first, end});
      }
    }
    return ranges.isEmpty() ? NONE : new AbortedRanges(ranges);
  }

  /** Whether the serialized batch belongs to one of these aborted transactions. */
  boolean covers(byte[] serializedBatch) {
    if (byProducer.isEmpty()) {
      return false;
    }
    RecordBatch batch;
    try {
      batch = RecordBatch.parseFrom(serializedBatch);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt record batch", e);
    }
    if (!batch.getTransactional()) {
      return false;
    }
    for (long[] range : byProducer.getOrDefault(batch.getProducerId(), List.of())) {
      if (batch.getBaseOffset() >= range[0] && batch.getBaseOffset() < range[1]) {
        return true;
      }
    }
    return false;
  }
}
