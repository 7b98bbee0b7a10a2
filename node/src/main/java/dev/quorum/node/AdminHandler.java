package dev.quorum.node;

import dev.quorum.protocol.raft.CreateTopic;
import dev.quorum.protocol.raft.DeleteTopic;
import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.MetadataCommandResult;
import dev.quorum.protocol.raft.PartitionAssignment;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.CreateTopicRequest;
import dev.quorum.protocol.v1.CreateTopicResponse;
import dev.quorum.protocol.v1.DeleteTopicRequest;
import dev.quorum.protocol.v1.DeleteTopicResponse;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.MetadataRequest;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.PartitionMetadata;
import dev.quorum.protocol.v1.ReplicaRole;
import dev.quorum.protocol.v1.ReplicaStatus;
import dev.quorum.protocol.v1.TopicMetadata;
import dev.quorum.statemachine.ClusterView;
import dev.quorum.statemachine.PartitionStateMachine;
import dev.quorum.statemachine.TopicRules;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/** Metadata reads, topic creation and deletion, and this node's status. */
final class AdminHandler {
  private static final long LIVENESS_TIMEOUT_MS = 1_500;
  private static final long VIEW_CONFIRM_TIMEOUT_MS = 2_000;

  private final int nodeId;
  private final String clusterId;
  private final LocalReplicas replicas;
  private final MetadataWriter writer;
  private final PeerChannels peers;
  private final RaftSubmitter submitter;

  AdminHandler(
      int nodeId,
      String clusterId,
      LocalReplicas replicas,
      MetadataWriter writer,
      PeerChannels peers,
      RaftSubmitter submitter) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.replicas = replicas;
    this.writer = writer;
    this.peers = peers;
    this.submitter = submitter;
  }

  /**
   * Describes the requested topics from this node's view. A node cut off from the metadata group
   * lacks the topics created since, so before it calls a topic unknown (a definite answer clients
   * fail on) it confirms its view is current with a Raft read index; if it cannot, the whole answer
   * is UNAVAILABLE, and the client asks another node.
   */
  CompletableFuture<MetadataResponse> metadata(MetadataRequest request) {
    MetadataResponse answer = describe(request);
    if (answer.getTopicsList().stream()
        .noneMatch(t -> t.getError().getCode() == ErrorCode.UNKNOWN_TOPIC)) {
      return CompletableFuture.completedFuture(answer);
    }
    return submitter
        .catchUp(RaftGroups.metadataGroupId(clusterId), VIEW_CONFIRM_TIMEOUT_MS)
        .thenApply(current -> current ? describe(request) : viewNotConfirmed());
  }

  private MetadataResponse viewNotConfirmed() {
    return MetadataResponse.newBuilder()
        .setClusterId(clusterId)
        .setNodeId(nodeId)
        .setError(
            Errors.definite(
                ErrorCode.UNAVAILABLE,
                "node "
                    + nodeId
                    + " cannot confirm that its cluster metadata is current (it cannot reach a"
                    + " majority of the metadata group)"))
        .build();
  }

  private MetadataResponse describe(MetadataRequest request) {
    ClusterView view = replicas.view();
    MetadataResponse.Builder response =
        MetadataResponse.newBuilder()
            .setClusterId(clusterId)
            .setNodeId(nodeId)
            .addAllNodes(view.nodes().values());
    List<String> names =
        request.getTopicsCount() == 0
            ? List.copyOf(view.topics().keySet())
            : request.getTopicsList();
    for (String name : names) {
      TopicRecord topic = view.topics().get(name);
      response.addTopics(
          topic == null
              ? TopicMetadata.newBuilder().setName(name).setError(Errors.unknownTopic(name)).build()
              : describe(topic));
    }
    return response.build();
  }

  private TopicMetadata describe(TopicRecord topic) {
    TopicMetadata.Builder metadata =
        TopicMetadata.newBuilder()
            .setName(topic.getName())
            .setTopicId(topic.getTopicId())
            .setConfig(topic.getConfig());
    for (PartitionAssignment assignment : topic.getPartitionsList()) {
      metadata.addPartitions(
          PartitionMetadata.newBuilder()
              .setPartition(assignment.getPartition())
              .setLeader(replicas.partition(topic, assignment.getPartition()).leaderHint())
              .addAllReplicas(assignment.getReplicasList()));
    }
    return metadata.build();
  }

  CompletableFuture<CreateTopicResponse> createTopic(CreateTopicRequest request) {
    Error invalid = validate(request);
    if (invalid != null) {
      return CompletableFuture.completedFuture(
          CreateTopicResponse.newBuilder().setError(invalid).build());
    }
    ClusterView view = replicas.view();
    return peers
        .liveNodes(view.nodes().values(), nodeId, LIVENESS_TIMEOUT_MS)
        .thenCompose(
            live ->
                writer.submit(
                    MetadataCommand.newBuilder()
                        .setCreateTopic(
                            CreateTopic.newBuilder()
                                .setName(request.getName())
                                .setPartitions(request.getPartitions())
                                .setReplicationFactor(request.getReplicationFactor())
                                .setConfig(request.getConfig())
                                .addAllLiveNodeIds(live))
                        .build()))
        .handle(
            (result, failure) -> {
              CreateTopicResponse.Builder response = CreateTopicResponse.newBuilder();
              if (failure != null) {
                return response.setError(unavailable(failure)).build();
              }
              if (result.hasError()) {
                return response.setError(result.getError()).build();
              }
              return response.setTopic(describe(result.getTopic())).build();
            });
  }

  private static Error validate(CreateTopicRequest request) {
    String problem = TopicRules.checkName(request.getName());
    if (problem != null) {
      return Errors.definite(ErrorCode.INVALID_TOPIC_NAME, problem);
    }
    problem = TopicRules.checkPartitions(request.getPartitions());
    if (problem != null) {
      return Errors.definite(ErrorCode.INVALID_PARTITIONS, problem);
    }
    if (request.getReplicationFactor() < 1) {
      return Errors.definite(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          "replication factor must be at least 1, got " + request.getReplicationFactor());
    }
    int maxMessageBytes = request.getConfig().getMaxMessageBytes();
    problem = maxMessageBytes == 0 ? null : TopicRules.checkMaxMessageBytes(maxMessageBytes);
    return problem == null ? null : Errors.definite(ErrorCode.INVALID_REQUEST, problem);
  }

  CompletableFuture<DeleteTopicResponse> deleteTopic(DeleteTopicRequest request) {
    if (request.getName().startsWith(TopicRules.INTERNAL_PREFIX)) {
      return CompletableFuture.completedFuture(
          DeleteTopicResponse.newBuilder()
              .setError(
                  Errors.definite(
                      ErrorCode.INVALID_TOPIC_NAME,
                      "'" + request.getName() + "' is an internal topic and cannot be deleted"))
              .build());
    }
    // Whether the topic exists is the metadata group's answer, not this node's view: a node cut off
    // from the group lacks the topics created since.
    return writer
        .submit(
            MetadataCommand.newBuilder()
                .setDeleteTopic(DeleteTopic.newBuilder().setName(request.getName()))
                .build())
        .handle(
            (MetadataCommandResult result, Throwable failure) -> {
              DeleteTopicResponse.Builder response = DeleteTopicResponse.newBuilder();
              if (failure != null) {
                return response.setError(unavailable(failure)).build();
              }
              return result.hasError()
                  ? response.setError(result.getError()).build()
                  : response.build();
            });
  }

  NodeStatusResponse nodeStatus() {
    NodeStatusResponse.Builder status =
        NodeStatusResponse.newBuilder().setNodeId(nodeId).setClusterId(clusterId);
    RaftServer server = replicas.server();
    RaftGroupId metadataGroup = RaftGroups.metadataGroupId(clusterId);
    RaftServer.Division metadataDivision = replicas.division(metadataGroup);
    if (metadataDivision != null) {
      status.setMetadataRole(role(metadataDivision));
    }
    for (TopicRecord topic : replicas.view().topics().values()) {
      for (int p = 0; p < topic.getPartitionsCount(); p++) {
        LocalReplicas.Partition partition = replicas.partition(topic, p);
        RaftServer.Division division = partition.division();
        if (division == null) {
          continue;
        }
        PartitionStateMachine.LogOffsets offsets = partition.stateMachine().offsets();
        status.addReplicas(
            ReplicaStatus.newBuilder()
                .setTopic(topic.getName())
                .setPartition(p)
                .setRole(role(division))
                .setLeader(partition.leaderHint())
                .setEndOffset(offsets.next())
                .setLogStartOffset(offsets.start()));
      }
    }
    return status.build();
  }

  private static ReplicaRole role(RaftServer.Division division) {
    RaftPeerRole role = division.getInfo().getCurrentRole();
    if (role == null) {
      return ReplicaRole.REPLICA_ROLE_UNKNOWN; // the division is still starting
    }
    return switch (role) {
      case LEADER -> ReplicaRole.REPLICA_ROLE_LEADER;
      case FOLLOWER, LISTENER -> ReplicaRole.REPLICA_ROLE_FOLLOWER;
      case CANDIDATE -> ReplicaRole.REPLICA_ROLE_CANDIDATE;
      default -> ReplicaRole.REPLICA_ROLE_UNKNOWN;
    };
  }

  private static Error unavailable(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return Errors.indeterminate(ErrorCode.UNAVAILABLE, cause.getMessage());
  }
}
