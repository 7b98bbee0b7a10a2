package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.StoredSourceOffset;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.SourceOffset;
import dev.quorum.protocol.v1.SourceOffsets;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Consumers' next input offsets, stored in this partition by the writer of their output, in the
 * same write batch as that output: a consume-transform-produce step whose output goes to one
 * partition is exactly-once in a single log entry, with no transaction and no coordinator.
 *
 * <p>A write goes ahead only if every offset it stores is still the one its writer read, so of two
 * writers that processed the same input (a zombie and its replacement) only the first appends its
 * output. A retry of an applied request (same request id and offsets) gets the original answer.
 *
 * <p>{@link #check} and {@link #store} run on the apply thread; {@link #stored} on any thread.
 */
final class SourceOffsetStore {
  private static final byte SOURCE = 's';
  private static final int MAX_OWNER_LENGTH = 255;

  // Offsets written by earlier batches of the entry being applied: not in the store yet.
  private final Map<ByteBuffer, StoredSourceOffset> pending = new HashMap<>();

  void startEntry() {
    pending.clear();
  }

  /**
   * Null when the append may go ahead; otherwise its answer: the original result of a retried
   * request, or why it is refused.
   */
  @Nullable PartitionCommandResult check(Store store, AppendRecords append) {
    String invalid = invalid(append);
    if (invalid != null) {
      return error(ErrorCode.INVALID_REQUEST, invalid);
    }
    SourceOffsets sources = append.getSourceOffsets();
    boolean retry = true;
    StoredSourceOffset original = null;
    List<String> conflicts = new ArrayList<>();
    for (SourceOffset o : sources.getOffsetsList()) {
      StoredSourceOffset stored = get(store, key(sources.getOwner(), o));
      if (stored != null
          && stored.getRequestId().equals(sources.getRequestId())
          && stored.getNext() == o.getNext()) {
        original = stored;
      } else {
        retry = false;
      }
      long current = stored == null ? -1 : stored.getNext();
      if (current != o.getExpected()) {
        conflicts.add(
            o.getTopic()
                + "-"
                + o.getPartition()
                + " is at "
                + current
                + ", not "
                + o.getExpected());
      }
    }
    if (retry && original != null) {
      return PartitionCommandResult.newBuilder()
          .setBaseOffset(original.getBaseOffset())
          .setAppendTimeMs(original.getAppendTimeMs())
          .setDuplicate(true)
          .build();
    }
    if (!conflicts.isEmpty()) {
      return error(
          ErrorCode.SOURCE_OFFSET_CONFLICT,
          "source offsets of "
              + sources.getOwner()
              + " moved since they were read ("
              + String.join(", ", conflicts)
              + "): another writer stored output for that input; read them again");
    }
    return null;
  }

  /** Stores the offsets of an append that {@link #check} let through. */
  void store(SourceOffsets sources, long baseOffset, long appendTimeMs, WriteBatch batch)
      throws RocksDBException {
    for (SourceOffset o : sources.getOffsetsList()) {
      StoredSourceOffset stored =
          StoredSourceOffset.newBuilder()
              .setNext(o.getNext())
              .setRequestId(sources.getRequestId())
              .setBaseOffset(baseOffset)
              .setAppendTimeMs(appendTimeMs)
              .build();
      byte[] key = key(sources.getOwner(), o);
      batch.put(key, stored.toByteArray());
      pending.put(ByteBuffer.wrap(key), stored);
    }
  }

  /** What {@code owner} stored, one entry per source partition with its next offset. */
  static List<SourceOffset> stored(Store store, String owner) {
    List<SourceOffset> found = new ArrayList<>();
    byte[] prefix = Keys.of(SOURCE, owner + "\u0000");
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
        byte[] key = it.key();
        String rest =
            new String(key, prefix.length, key.length - prefix.length - 4, StandardCharsets.UTF_8);
        found.add(
            SourceOffset.newBuilder()
                .setTopic(rest.substring(0, rest.length() - 1))
                .setPartition(ByteBuffer.wrap(key, key.length - 4, 4).getInt())
                .setNext(StoredSourceOffset.parseFrom(it.value()).getNext())
                .build());
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt source offset of " + owner, e);
    }
    return found;
  }

  private static @Nullable String invalid(AppendRecords append) {
    SourceOffsets sources = append.getSourceOffsets();
    String owner = sources.getOwner();
    if (owner.isBlank() || owner.length() > MAX_OWNER_LENGTH || owner.indexOf('\u0000') >= 0) {
      return "source offsets need an owner of 1.."
          + MAX_OWNER_LENGTH
          + " characters without NUL, got '"
          + owner
          + "'";
    }
    if (sources.getRequestId().isEmpty()) {
      return "source offsets need a request id";
    }
    if (sources.getOffsetsCount() == 0) {
      return "source offsets need at least one offset";
    }
    Set<String> seen = new HashSet<>();
    for (SourceOffset o : sources.getOffsetsList()) {
      String name = o.getTopic() + "-" + o.getPartition();
      if (o.getTopic().isEmpty() || o.getTopic().indexOf('\u0000') >= 0 || o.getPartition() < 0) {
        return "invalid source partition '" + name + "'";
      }
      if (!seen.add(name)) {
        return "source partition " + name + " appears twice";
      }
      if (o.getNext() < 0 || o.getExpected() < -1) {
        return "source offsets of "
            + name
            + " must be next >= 0 and expected >= -1, got next "
            + o.getNext()
            + " expected "
            + o.getExpected();
      }
    }
    return null;
  }

  private @Nullable StoredSourceOffset get(Store store, byte[] key) {
    StoredSourceOffset written = pending.get(ByteBuffer.wrap(key));
    if (written != null) {
      return written;
    }
    byte[] value = store.get(key);
    if (value == null) {
      return null;
    }
    try {
      return StoredSourceOffset.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt source offset", e);
    }
  }

  private static byte[] key(String owner, SourceOffset o) {
    byte[] name = (owner + "\u0000" + o.getTopic() + "\u0000").getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + name.length + 4)
        .put(SOURCE)
        .put(name)
        .putInt(o.getPartition())
        .array();
  }

  private static PartitionCommandResult error(ErrorCode code, String message) {
    return PartitionCommandResult.newBuilder()
        .setError(Error.newBuilder().setCode(code).setMessage(message))
        .build();
  }
}
