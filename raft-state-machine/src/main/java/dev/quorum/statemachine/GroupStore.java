package dev.quorum.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.CommitGroupOffsets;
import dev.quorum.protocol.raft.CommitTransactionalOffsets;
import dev.quorum.protocol.raft.GroupCommand;
import dev.quorum.protocol.raft.GroupState;
import dev.quorum.protocol.raft.MemberState;
import dev.quorum.protocol.raft.PutGroup;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.OffsetCommit;
import dev.quorum.protocol.v1.TopicPartitions;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Consumer group state kept by a partition of the internal {@code __groups} topic: each group's
 * membership (decided by the coordinator, stored here) and its committed offsets. Commits are
 * checked here, in apply, against the stored membership: a member may commit only partitions it
 * holds.
 */
final class GroupStore {
  private static final byte GROUP = 'g';
  private static final byte OFFSET = 'c';
  private static final byte PENDING = 'y';

  /** The stored groups; replaced as a whole (copy on write) so readers need no lock. */
  private volatile Map<String, GroupState> groups = Map.of();

  /** Groups with transactional offsets not yet committed or aborted, and by which producers. */
  private volatile Map<String, Set<Long>> pendingByGroup = Map.of();

  void load(Store store) {
    Map<String, GroupState> loaded = new TreeMap<>();
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(new byte[] {GROUP});
          it.isValid() && Keys.hasPrefix(it.key(), GROUP);
          it.next()) {
        GroupState state = GroupState.parseFrom(it.value());
        loaded.put(state.getGroupId(), state);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt group state", e);
    }
    groups = Collections.unmodifiableMap(loaded);
    Map<String, Set<Long>> pending = new HashMap<>();
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(new byte[] {PENDING});
          it.isValid() && Keys.hasPrefix(it.key(), PENDING);
          it.next()) {
        pending
            .computeIfAbsent(pendingGroup(it.key()), g -> new HashSet<>())
            .add(Keys.longAt(it.key(), 1));
      }
    }
    pendingByGroup = pending;
  }

  /** Whether the group has offsets waiting for a transaction's outcome. */
  boolean hasPendingOffsets(String groupId) {
    return pendingByGroup.containsKey(groupId);
  }

  Optional<GroupState> group(String groupId) {
    return Optional.ofNullable(groups.get(groupId));
  }

  Map<String, GroupState> groups() {
    return groups;
  }

  /** Applies one command; returns an error, or null when it was applied. */
  ApplyResult apply(
      Store store,
      GroupCommand command,
      WriteBatch batch,
      java.util.function.Function<Error, byte[]> reply)
      throws RocksDBException {
    return switch (command.getChangeCase()) {
      case PUT_GROUP -> put(command.getGroupId(), command.getPutGroup(), batch, reply);
      case COMMIT -> commit(command.getGroupId(), command.getCommit(), batch, reply);
      case COMMIT_TRANSACTIONAL ->
          commitTransactional(
              store, command.getGroupId(), command.getCommitTransactional(), batch, reply);
      case CHANGE_NOT_SET ->
          ApplyResult.of(reply.apply(error(ErrorCode.INVALID_REQUEST, "empty group command")));
    };
  }

  private ApplyResult put(
      String groupId,
      PutGroup put,
      WriteBatch batch,
      java.util.function.Function<Error, byte[]> reply)
      throws RocksDBException {
    long version = group(groupId).map(GroupState::getVersion).orElse(0L);
    if (version != put.getExpectedVersion()) {
      return ApplyResult.of(
          reply.apply(
              error(
                  ErrorCode.COORDINATOR_NOT_AVAILABLE,
                  "group " + groupId + " changed concurrently (version " + version + ")")));
    }
    GroupState stored =
        put.getState().toBuilder().setGroupId(groupId).setVersion(version + 1).build();
    batch.put(Keys.of(GROUP, groupId), stored.toByteArray());
    return new ApplyResult(
        reply.apply(null),
        () -> {
          Map<String, GroupState> copy = new TreeMap<>(groups);
          copy.put(groupId, stored);
          groups = Collections.unmodifiableMap(copy);
        });
  }

  private ApplyResult commit(
      String groupId,
      CommitGroupOffsets commit,
      WriteBatch batch,
      java.util.function.Function<Error, byte[]> reply)
      throws RocksDBException {
    Error refused = checkCommit(groupId, commit);
    if (refused != null) {
      return ApplyResult.of(reply.apply(refused));
    }
    writeOffsets(groupId, commit, batch);
    return ApplyResult.of(reply.apply(null));
  }

  private static void writeOffsets(String groupId, CommitGroupOffsets commit, WriteBatch batch)
      throws RocksDBException {
    for (OffsetCommit offset : commit.getOffsetsList()) {
      CommittedOffset stored =
          CommittedOffset.newBuilder()
              .setTopic(offset.getTopic())
              .setPartition(offset.getPartition())
              .setOffset(offset.getOffset())
              .setMetadata(offset.getMetadata())
              .setCommitTimeMs(commit.getCommitTimeMs())
              .build();
      batch.put(offsetKey(groupId, offset.getTopic(), offset.getPartition()), stored.toByteArray());
    }
  }

  /**
   * Keeps the offsets aside until the producer's transaction ends here: its commit marker makes
   * them the group's committed offsets, its abort marker drops them.
   */
  private ApplyResult commitTransactional(
      Store store,
      String groupId,
      CommitTransactionalOffsets commit,
      WriteBatch batch,
      java.util.function.Function<Error, byte[]> reply)
      throws RocksDBException {
    Error refused = checkCommit(groupId, commit.getOffsets());
    if (refused != null) {
      return ApplyResult.of(reply.apply(refused));
    }
    byte[] key = pendingKey(commit.getProducerId(), groupId);
    CommitGroupOffsets.Builder merged = commit.getOffsets().toBuilder().clearOffsets();
    Map<String, OffsetCommit> byPartition = new TreeMap<>();
    CommitGroupOffsets earlier = pending(store, key);
    if (earlier != null) {
      earlier
          .getOffsetsList()
          .forEach(o -> byPartition.put(o.getTopic() + "\u0000" + o.getPartition(), o));
    }
    commit
        .getOffsets()
        .getOffsetsList()
        .forEach(o -> byPartition.put(o.getTopic() + "\u0000" + o.getPartition(), o));
    batch.put(key, merged.addAllOffsets(byPartition.values()).build().toByteArray());
    long producerId = commit.getProducerId();
    return new ApplyResult(
        reply.apply(null),
        () -> {
          Map<String, Set<Long>> copy = new HashMap<>(pendingByGroup);
          Set<Long> producers = new HashSet<>(copy.getOrDefault(groupId, Set.of()));
          producers.add(producerId);
          copy.put(groupId, producers);
          pendingByGroup = copy;
        });
  }

  /** Makes the producer's pending offsets committed (or drops them) when its transaction ends. */
  Runnable endTransaction(Store store, long producerId, boolean commit, WriteBatch batch)
      throws RocksDBException {
    byte[] prefix = java.nio.ByteBuffer.allocate(9).put(PENDING).putLong(producerId).array();
    List<String> ended = new ArrayList<>();
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
        String groupId = pendingGroup(it.key());
        if (commit) {
          writeOffsets(groupId, CommitGroupOffsets.parseFrom(it.value()), batch);
        }
        batch.delete(it.key());
        ended.add(groupId);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt transactional offsets of " + producerId, e);
    }
    if (ended.isEmpty()) {
      return () -> {};
    }
    return () -> {
      Map<String, Set<Long>> copy = new HashMap<>(pendingByGroup);
      for (String groupId : ended) {
        Set<Long> producers = new HashSet<>(copy.getOrDefault(groupId, Set.of()));
        producers.remove(producerId);
        if (producers.isEmpty()) {
          copy.remove(groupId);
        } else {
          copy.put(groupId, producers);
        }
      }
      pendingByGroup = copy;
    };
  }

  private static @Nullable CommitGroupOffsets pending(Store store, byte[] key) {
    byte[] value = store.get(key);
    try {
      return value == null ? null : CommitGroupOffsets.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt transactional offsets", e);
    }
  }

  private static byte[] pendingKey(long producerId, String groupId) {
    byte[] name = groupId.getBytes(StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(9 + name.length)
        .put(PENDING)
        .putLong(producerId)
        .put(name)
        .array();
  }

  private static String pendingGroup(byte[] key) {
    return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
  }

  private @Nullable Error checkCommit(String groupId, CommitGroupOffsets commit) {
    GroupState state = groups.get(groupId);
    if (commit.getMemberId().isEmpty()) {
      return state == null || state.getMembersCount() == 0
          ? null
          : error(
              ErrorCode.GROUP_NOT_EMPTY,
              "group " + groupId + " has " + state.getMembersCount() + " members; stop them first");
    }
    MemberState member =
        state == null
            ? null
            : state.getMembersList().stream()
                .filter(m -> m.getMemberId().equals(commit.getMemberId()))
                .findFirst()
                .orElse(null);
    if (member == null) {
      return error(
          ErrorCode.UNKNOWN_MEMBER_ID,
          "member " + commit.getMemberId() + " is not in group " + groupId);
    }
    if (commit.getMemberEpoch() > member.getMemberEpoch()) {
      return error(
          ErrorCode.FENCED_MEMBER,
          "member epoch " + commit.getMemberEpoch() + " is from the future");
    }
    for (OffsetCommit offset : commit.getOffsetsList()) {
      int grantedAt = grantEpoch(member, offset.getTopic(), offset.getPartition());
      if (commit.getMemberEpoch() < grantedAt) {
        // Sent before the partition was last granted (a delayed retry from before a revocation):
        // applying it could move the offset backwards.
        return error(
            ErrorCode.FENCED_MEMBER,
            "a commit from member epoch "
                + commit.getMemberEpoch()
                + " predates the grant of "
                + offset.getTopic()
                + "-"
                + offset.getPartition()
                + " at epoch "
                + grantedAt);
      }
      if (!holds(member.getHeldList(), offset.getTopic(), offset.getPartition())) {
        return error(
            ErrorCode.FENCED_MEMBER,
            "member "
                + member.getMemberId()
                + " does not hold "
                + offset.getTopic()
                + "-"
                + offset.getPartition()
                + " in group "
                + groupId
                + " any more");
      }
    }
    return null;
  }

  /** Committed offsets of a group, optionally only those of the given topics' partitions. */
  List<CommittedOffset> committed(Store store, String groupId) {
    List<CommittedOffset> offsets = new ArrayList<>();
    byte[] prefix = Keys.of(OFFSET, groupId + "\u0000");
    try (RocksIterator it = store.newIterator()) {
      for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
        offsets.add(CommittedOffset.parseFrom(it.value()));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt committed offset in group " + groupId, e);
    }
    return offsets;
  }

  private static int grantEpoch(MemberState member, String topic, int partition) {
    for (var grant : member.getGrantsList()) {
      if (grant.getTopic().equals(topic) && grant.getPartition() == partition) {
        return grant.getMemberEpoch();
      }
    }
    return 0;
  }

  static boolean holds(List<TopicPartitions> held, String topic, int partition) {
    for (TopicPartitions tp : held) {
      if (tp.getTopic().equals(topic) && tp.getPartitionsList().contains(partition)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] offsetKey(String groupId, String topic, int partition) {
    byte[] name = (groupId + "\u0000" + topic + "\u0000").getBytes(StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(1 + name.length + 4)
        .put(OFFSET)
        .put(name)
        .putInt(partition)
        .array();
  }

  private static Error error(ErrorCode code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }
}
