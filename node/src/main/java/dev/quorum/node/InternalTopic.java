package dev.quorum.node;

import dev.quorum.protocol.raft.CreateTopic;
import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * An internal topic whose partition leaders coordinate something keyed by a string (consumer
 * groups, transactional ids): each key belongs to one partition, and that partition's leader is the
 * key's coordinator.
 */
final class InternalTopic {
  private final String name;
  private final int partitions;
  private final String coordinates;
  private final LocalReplicas replicas;
  private final PartitionLookup lookup;
  private final MetadataWriter writer;
  private final int clusterSize;
  private final AtomicBoolean creating = new AtomicBoolean();

  /**
   * @param coordinates what a key names, for error messages ("group", "transactional id")
   */
  InternalTopic(
      String name,
      int partitions,
      String coordinates,
      LocalReplicas replicas,
      PartitionLookup lookup,
      MetadataWriter writer,
      int clusterSize) {
    this.name = name;
    this.partitions = partitions;
    this.coordinates = coordinates;
    this.replicas = replicas;
    this.lookup = lookup;
    this.writer = writer;
    this.clusterSize = clusterSize;
  }

  String name() {
    return name;
  }

  int partitionOf(String key) {
    return partitionOf(key, partitions);
  }

  static int partitionOf(String key, int partitions) {
    // String.hashCode is specified by the language, so every node agrees.
    return Math.floorMod(key.hashCode(), partitions);
  }

  /**
   * The topic, created on first use with replication factor 3 (or the cluster size, if smaller).
   * Its durability must not depend on which nodes happened to answer at that moment, so it waits
   * until that many nodes have registered and places replicas on any of them.
   */
  Optional<TopicRecord> topic() {
    Optional<TopicRecord> topic = replicas.topic(name);
    var view = replicas.view();
    int replicationFactor = Math.min(3, clusterSize);
    if (topic.isEmpty()
        && view.nodes().size() >= replicationFactor
        && creating.compareAndSet(false, true)) {
      writer
          .submit(
              MetadataCommand.newBuilder()
                  .setCreateTopic(
                      CreateTopic.newBuilder()
                          .setName(name)
                          .setPartitions(partitions)
                          .setReplicationFactor(replicationFactor)
                          .setInternal(true)
                          .addAllLiveNodeIds(view.nodes().keySet()))
                  .build())
          .whenComplete((result, failure) -> creating.set(false));
    }
    return topic;
  }

  /** The topic if it exists; unlike {@link #topic()}, never creates it. */
  private Optional<TopicRecord> existing() {
    return replicas.topic(name);
  }

  /** The partitions of the topic (if it exists) that this node leads and serves from. */
  List<LocalReplicas.Partition> ledPartitions() {
    Optional<TopicRecord> topic = existing();
    if (topic.isEmpty()) {
      return List.of();
    }
    List<LocalReplicas.Partition> led = new ArrayList<>();
    for (int p = 0; p < topic.get().getPartitionsCount(); p++) {
      LocalReplicas.Partition partition = replicas.partition(topic.get(), p);
      if (partition.isLeaderReady()) {
        led.add(partition);
      }
    }
    return led;
  }

  /** The partition that coordinates {@code key} if this node leads it, or why not. */
  PartitionLookup.Resolved coordinatorOf(String key) {
    if (topic().isEmpty()) {
      return PartitionLookup.Resolved.failed(notAvailable("the coordinators are starting"));
    }
    PartitionLookup.Resolved resolved = lookup.leaderOf(name, partitionOf(key));
    Error error = resolved.error();
    if (error == null) {
      return resolved;
    }
    if (error.getCode() == ErrorCode.NOT_LEADER) {
      return PartitionLookup.Resolved.failed(
          error.toBuilder()
              .setCode(ErrorCode.NOT_COORDINATOR)
              .setMessage("this node does not coordinate " + coordinates + " " + key)
              .build());
    }
    return PartitionLookup.Resolved.failed(notAvailable(error.getMessage()));
  }

  /** The node id of {@code key}'s coordinator as this node knows it, or an error. */
  CoordinatorNode findCoordinator(String key) {
    Optional<TopicRecord> topic = topic();
    if (topic.isEmpty()) {
      return new CoordinatorNode(0, notAvailable("the coordinators are starting"));
    }
    int leader = replicas.partition(topic.get(), partitionOf(key)).leaderHint();
    return leader == 0
        ? new CoordinatorNode(
            0, notAvailable("the coordinator of " + coordinates + " " + key + " has no leader yet"))
        : new CoordinatorNode(leader, null);
  }

  record CoordinatorNode(int nodeId, @Nullable Error error) {}

  static Error notAvailable(String message) {
    return Errors.definite(ErrorCode.COORDINATOR_NOT_AVAILABLE, message);
  }
}
