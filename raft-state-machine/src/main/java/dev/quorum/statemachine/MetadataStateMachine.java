package dev.quorum.statemachine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AllocateProducerIds;
import dev.quorum.protocol.raft.CreateTopic;
import dev.quorum.protocol.raft.DeleteTopic;
import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.MetadataCommandResult;
import dev.quorum.protocol.raft.PartitionAssignment;
import dev.quorum.protocol.raft.RegisterNode;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.TopicConfig;
import dev.quorum.statemachine.storage.Keys;
import dev.quorum.statemachine.storage.StorageEnvironment;
import dev.quorum.statemachine.storage.Store;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster metadata group's state: the cluster id, the nodes, and the topics with their
 * partition placement. Changes are published as an immutable {@link ClusterView} and announced to
 * listeners (the node reconciles its partition replicas with them).
 */
public final class MetadataStateMachine extends RocksDbStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);
  private static final byte NODE = 'n';
  private static final byte TOPIC = 't';
  private static final byte[] CLUSTER_ID_KEY = {0, 'c'};
  private static final byte[] NEXT_PRODUCER_ID_KEY = {0, 'p'};
  private static final int MAX_PRODUCER_ID_BLOCK = 1_000_000;

  /** The first producer id not yet handed out; producer id 0 means "not idempotent". */
  private volatile long nextProducerId = 1;

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterView view = ClusterView.EMPTY;

  public MetadataStateMachine(StorageEnvironment env) {
    super(env);
  }

  public ClusterView view() {
    return view;
  }

  /** Runs {@code listener} after every change; on the apply thread, so it must not block. */
  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  protected boolean hasRecords() {
    return false;
  }

  @Override
  protected void load(Store store) {
    Map<Integer, NodeInfo> nodes = new HashMap<>();
    Map<String, TopicRecord> topics = new HashMap<>();
    try (RocksIterator it = store.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (Keys.hasPrefix(key, NODE)) {
          NodeInfo node = NodeInfo.parseFrom(it.value());
          nodes.put(node.getId(), node);
        } else if (Keys.hasPrefix(key, TOPIC)) {
          TopicRecord topic = TopicRecord.parseFrom(it.value());
          topics.put(topic.getName(), topic);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(getId() + ": corrupt metadata store", e);
    }
    byte[] nextId = store.get(NEXT_PRODUCER_ID_KEY);
    nextProducerId = nextId == null ? 1 : Keys.longAt(nextId, 0);
    byte[] clusterId = store.get(CLUSTER_ID_KEY);
    view =
        new ClusterView(
            clusterId == null ? "" : new String(clusterId, StandardCharsets.UTF_8),
            new java.util.TreeMap<>(nodes),
            new java.util.TreeMap<>(topics));
    announce();
  }

  /**
   * Runs the listeners. One that throws is logged and skipped: the change is already applied, and
   * an exception out of apply would stop this replica's apply thread for good (Ratis then spins on
   * it, and a close waiting for it never returns).
   */
  private void announce() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.warn("{}: a metadata listener failed", getId(), e);
      }
    }
  }

  @Override
  protected ApplyResult apply(CodedInputStream entry, long index, WriteBatch batch) {
    MetadataCommand command;
    try {
      command = MetadataCommand.parser().parseFrom(entry);
    } catch (InvalidProtocolBufferException e) {
      // Refused the same way on every replica; throwing would stop the group on every replay.
      return reject(ErrorCode.INVALID_REQUEST, "unreadable metadata command at index " + index);
    }
    try {
      return switch (command.getCommandCase()) {
        case REGISTER_NODE -> register(command.getRegisterNode(), batch);
        case CREATE_TOPIC -> create(command.getCreateTopic(), index, batch);
        case DELETE_TOPIC -> delete(command.getDeleteTopic(), batch);
        case ALLOCATE_PRODUCER_IDS -> allocateProducerIds(command.getAllocateProducerIds(), batch);
        case COMMAND_NOT_SET -> reject(ErrorCode.INVALID_REQUEST, "empty metadata command");
      };
    } catch (RocksDBException e) {
      throw new Store.StorageException("cannot build write batch", e);
    }
  }

  private ApplyResult register(RegisterNode command, WriteBatch batch) throws RocksDBException {
    ClusterView before = view;
    String clusterId = command.getClusterId();
    if (!before.clusterId().isEmpty() && !before.clusterId().equals(clusterId)) {
      return reject(
          ErrorCode.INVALID_REQUEST,
          "node "
              + command.getNode().getId()
              + " belongs to cluster "
              + clusterId
              + ", not to "
              + before.clusterId());
    }
    NodeInfo node = command.getNode();
    batch.put(CLUSTER_ID_KEY, clusterId.getBytes(StandardCharsets.UTF_8));
    batch.put(Keys.of(NODE, node.getId()), node.toByteArray());
    return publish(before.withClusterId(clusterId).withNode(node), ok());
  }

  private ApplyResult create(CreateTopic command, long index, WriteBatch batch)
      throws RocksDBException {
    ClusterView before = view;
    String name = command.getName();
    String invalid =
        command.getInternal() ? TopicRules.checkInternalName(name) : TopicRules.checkName(name);
    if (invalid != null) {
      return reject(ErrorCode.INVALID_TOPIC_NAME, invalid);
    }
    if (before.topics().containsKey(name)) {
      return reject(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists");
    }
    invalid = TopicRules.checkPartitions(command.getPartitions());
    if (invalid != null) {
      return reject(ErrorCode.INVALID_PARTITIONS, invalid);
    }
    List<Integer> live =
        command.getLiveNodeIdsList().stream()
            .filter(before.nodes()::containsKey)
            .distinct()
            .sorted()
            .toList();
    int replicas = command.getReplicationFactor();
    if (replicas < 1 || replicas > live.size()) {
      return reject(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          "replication factor must be between 1 and the "
              + live.size()
              + " live nodes, got "
              + replicas);
    }
    int maxMessageBytes =
        command.getConfig().getMaxMessageBytes() == 0
            ? TopicRules.DEFAULT_MAX_MESSAGE_BYTES
            : command.getConfig().getMaxMessageBytes();
    invalid = TopicRules.checkMaxMessageBytes(maxMessageBytes);
    if (invalid != null) {
      return reject(ErrorCode.INVALID_REQUEST, invalid);
    }
    TopicRecord.Builder topic =
        TopicRecord.newBuilder()
            .setName(name)
            .setTopicId(index)
            .setConfig(TopicConfig.newBuilder().setMaxMessageBytes(maxMessageBytes));
    // Consecutive partitions start on consecutive nodes, so replicas and preferred leaders spread
    // evenly; the offset by topic id spreads topics with few partitions too.
    int first = (int) Math.floorMod(index, (long) live.size());
    for (int p = 0; p < command.getPartitions(); p++) {
      PartitionAssignment.Builder assignment = PartitionAssignment.newBuilder().setPartition(p);
      for (int r = 0; r < replicas; r++) {
        assignment.addReplicas(live.get((first + p + r) % live.size()));
      }
      topic.addPartitions(assignment);
    }
    TopicRecord created = topic.build();
    batch.put(Keys.of(TOPIC, name), created.toByteArray());
    return publish(
        before.withTopic(created), MetadataCommandResult.newBuilder().setTopic(created).build());
  }

  private ApplyResult delete(DeleteTopic command, WriteBatch batch) throws RocksDBException {
    ClusterView before = view;
    if (!before.topics().containsKey(command.getName())) {
      return reject(ErrorCode.UNKNOWN_TOPIC, "topic '" + command.getName() + "' does not exist");
    }
    batch.delete(Keys.of(TOPIC, command.getName()));
    return publish(before.withoutTopic(command.getName()), ok());
  }

  private ApplyResult allocateProducerIds(AllocateProducerIds command, WriteBatch batch)
      throws RocksDBException {
    if (command.getCount() < 1 || command.getCount() > MAX_PRODUCER_ID_BLOCK) {
      return reject(
          ErrorCode.INVALID_REQUEST,
          "a producer id block must hold 1 to " + MAX_PRODUCER_ID_BLOCK + " ids");
    }
    long first = nextProducerId;
    long next = first + command.getCount();
    batch.put(NEXT_PRODUCER_ID_KEY, Keys.longs(next));
    return new ApplyResult(
        MetadataCommandResult.newBuilder().setFirstProducerId(first).build().toByteArray(),
        () -> nextProducerId = next);
  }

  private ApplyResult publish(ClusterView after, MetadataCommandResult result) {
    return new ApplyResult(
        result.toByteArray(),
        () -> {
          view = after;
          announce();
        });
  }

  private static MetadataCommandResult ok() {
    return MetadataCommandResult.getDefaultInstance();
  }

  private static ApplyResult reject(ErrorCode code, String message) {
    return ApplyResult.of(
        MetadataCommandResult.newBuilder()
            .setError(Error.newBuilder().setCode(code).setMessage(message))
            .build()
            .toByteArray());
  }
}
