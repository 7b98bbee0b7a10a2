package dev.quorum.node;

import dev.quorum.protocol.raft.CommitGroupOffsets;
import dev.quorum.protocol.raft.CommitTransactionalOffsets;
import dev.quorum.protocol.raft.GroupCommand;
import dev.quorum.protocol.raft.GroupState;
import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.PartitionCommandResult;
import dev.quorum.protocol.raft.PutGroup;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import dev.quorum.protocol.v1.CommitOffsetsResponse;
import dev.quorum.protocol.v1.CommitTransactionalOffsetsRequest;
import dev.quorum.protocol.v1.CommitTransactionalOffsetsResponse;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.DescribeGroupRequest;
import dev.quorum.protocol.v1.DescribeGroupResponse;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchOffsetsRequest;
import dev.quorum.protocol.v1.FetchOffsetsResponse;
import dev.quorum.protocol.v1.FindCoordinatorRequest;
import dev.quorum.protocol.v1.FindCoordinatorResponse;
import dev.quorum.protocol.v1.GroupDescription;
import dev.quorum.protocol.v1.GroupHeartbeatRequest;
import dev.quorum.protocol.v1.GroupHeartbeatResponse;
import dev.quorum.protocol.v1.GroupSummary;
import dev.quorum.protocol.v1.ListGroupsResponse;
import dev.quorum.protocol.v1.MemberDescription;
import dev.quorum.statemachine.PartitionStateMachine;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer group coordination. A group lives in one partition of the internal topic {@value
 * #TOPIC}; that partition's leader coordinates it. Membership and committed offsets are replicated
 * through the partition's Raft group; liveness (when each member was last heard from) is soft state
 * of the coordinator, so heartbeats cost no Raft writes unless the group changes.
 *
 * <p>Rebalancing is incremental: the coordinator computes a target assignment, tells each member
 * which partitions to own now, and hands a partition to a new owner only after the previous owner
 * reported it released. Partitions that do not move keep flowing.
 */
final class GroupCoordinator implements AutoCloseable {
  static final String TOPIC = "__groups";
  static final int PARTITIONS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
  private static final long WRITE_TIMEOUT_MS = 10_000;
  private static final int MAX_HEARTBEAT_INTERVAL_MS = 3_000;
  private static final int RECONCILING_HEARTBEAT_INTERVAL_MS = 250;
  private static final int MIN_SESSION_TIMEOUT_MS = 1_000;
  private static final int MAX_SESSION_TIMEOUT_MS = 300_000;

  private final int nodeId;
  private final LocalReplicas replicas;
  private final RaftSubmitter submitter;
  private final InternalTopic groupsTopic;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final SerialQueues queues;

  /** Group id -> member id -> when the member was last heard from (soft state). */
  private final Map<String, Map<String, Long>> lastSeen = new ConcurrentHashMap<>();

  /**
   * Per __groups partition, the leader term in which this node gathered its liveness data. Data
   * from an earlier term is stale (another node coordinated in between) and would expire everyone.
   */
  private final Map<Integer, Long> leaderTerms = new ConcurrentHashMap<>();

  /** Expiries queued but not yet written ("group\0member"), so a slow write is not queued again. */
  private final Set<String> expiring = ConcurrentHashMap.newKeySet();

  GroupCoordinator(
      int nodeId,
      LocalReplicas replicas,
      PartitionLookup lookup,
      RaftSubmitter submitter,
      MetadataWriter metadataWriter,
      int clusterSize,
      Clock clock,
      ScheduledExecutorService executor) {
    this.nodeId = nodeId;
    this.replicas = replicas;
    this.submitter = submitter;
    this.groupsTopic =
        new InternalTopic(
            TOPIC, PARTITIONS, "group", replicas, lookup, metadataWriter, clusterSize);
    this.clock = clock;
    this.executor = executor;
    this.queues = new SerialQueues(executor);
  }

  /** The topic holding groups and their offsets; a transaction's offsets go there too. */
  InternalTopic topic() {
    return groupsTopic;
  }

  void start() {
    executor.scheduleWithFixedDelay(this::expireMembersSafely, 500, 500, TimeUnit.MILLISECONDS);
  }

  // ---- requests

  FindCoordinatorResponse findCoordinator(FindCoordinatorRequest request) {
    FindCoordinatorResponse.Builder response = FindCoordinatorResponse.newBuilder();
    Error invalid = checkGroupId(request.getGroupId());
    if (invalid != null) {
      return response.setError(invalid).build();
    }
    InternalTopic.CoordinatorNode found = groupsTopic.findCoordinator(request.getGroupId());
    return found.error() != null
        ? response.setError(found.error()).build()
        : response.setNodeId(found.nodeId()).build();
  }

  CompletableFuture<GroupHeartbeatResponse> heartbeat(GroupHeartbeatRequest request) {
    Coordinator at = coordinatorOf(request.getGroupId());
    if (at.error() != null) {
      return done(GroupHeartbeatResponse.newBuilder().setError(at.error()).build());
    }
    return serially(request.getGroupId(), () -> new Heartbeat(at.partition(), request).run());
  }

  CompletableFuture<CommitOffsetsResponse> commitOffsets(CommitOffsetsRequest request) {
    Coordinator at = coordinatorOf(request.getGroupId());
    if (at.error() != null) {
      return done(CommitOffsetsResponse.newBuilder().setError(at.error()).build());
    }
    GroupCommand command =
        GroupCommand.newBuilder()
            .setGroupId(request.getGroupId())
            .setCommit(
                CommitGroupOffsets.newBuilder()
                    .setMemberId(request.getMemberId())
                    .setMemberEpoch(request.getMemberEpoch())
                    .setCommitTimeMs(clock.millis())
                    .addAllOffsets(request.getOffsetsList()))
            .build();
    return write(at.partition(), command)
        .thenApply(
            result -> {
              CommitOffsetsResponse.Builder response = CommitOffsetsResponse.newBuilder();
              return result.hasError()
                  ? response.setError(result.getError()).build()
                  : response.build();
            });
  }

  CompletableFuture<CommitTransactionalOffsetsResponse> commitTransactionalOffsets(
      CommitTransactionalOffsetsRequest request) {
    Coordinator at = coordinatorOf(request.getGroupId());
    if (at.error() != null) {
      return done(CommitTransactionalOffsetsResponse.newBuilder().setError(at.error()).build());
    }
    GroupCommand command =
        GroupCommand.newBuilder()
            .setGroupId(request.getGroupId())
            .setCommitTransactional(
                CommitTransactionalOffsets.newBuilder()
                    .setProducerId(request.getProducerId())
                    .setProducerEpoch(request.getProducerEpoch())
                    .setOffsets(
                        CommitGroupOffsets.newBuilder()
                            .setMemberId(request.getMemberId())
                            .setMemberEpoch(request.getMemberEpoch())
                            .setCommitTimeMs(clock.millis())
                            .addAllOffsets(request.getOffsetsList())))
            .build();
    return write(at.partition(), command)
        .thenApply(
            result -> {
              var response = CommitTransactionalOffsetsResponse.newBuilder();
              return result.hasError()
                  ? response.setError(result.getError()).build()
                  : response.build();
            });
  }

  FetchOffsetsResponse fetchOffsets(FetchOffsetsRequest request) {
    Coordinator at = coordinatorOf(request.getGroupId());
    FetchOffsetsResponse.Builder response = FetchOffsetsResponse.newBuilder();
    if (at.error() != null) {
      return response.setError(at.error()).build();
    }
    if (request.getRequireStable()
        && at.partition().stateMachine().hasPendingTransactionalOffsets(request.getGroupId())) {
      return response
          .setError(
              Errors.definite(
                  ErrorCode.UNSTABLE_OFFSET_COMMIT,
                  "group "
                      + request.getGroupId()
                      + " has offsets of an open transaction; retry once it ended"))
          .build();
    }
    Set<PartitionKey> wanted = PartitionKey.fromWire(request.getPartitionsList());
    for (CommittedOffset offset :
        at.partition().stateMachine().committedOffsets(request.getGroupId())) {
      if (wanted.isEmpty()
          || wanted.contains(new PartitionKey(offset.getTopic(), offset.getPartition()))) {
        response.addOffsets(offset);
      }
    }
    return response.build();
  }

  ListGroupsResponse listGroups() {
    ListGroupsResponse.Builder response = ListGroupsResponse.newBuilder();
    for (LocalReplicas.Partition partition : groupsTopic.ledPartitions()) {
      for (GroupState group : partition.stateMachine().groups().values()) {
        response.addGroups(
            GroupSummary.newBuilder()
                .setGroupId(group.getGroupId())
                .setState(GroupModel.of(group).state())
                .setMembers(group.getMembersCount()));
      }
    }
    return response.build();
  }

  DescribeGroupResponse describeGroup(DescribeGroupRequest request) {
    Coordinator at = coordinatorOf(request.getGroupId());
    DescribeGroupResponse.Builder response = DescribeGroupResponse.newBuilder();
    if (at.error() != null) {
      return response.setError(at.error()).build();
    }
    PartitionStateMachine log = at.partition().stateMachine();
    Optional<GroupState> stored = log.group(request.getGroupId());
    var offsets = log.committedOffsets(request.getGroupId());
    if (stored.isEmpty() && offsets.isEmpty()) {
      return response
          .setError(
              Errors.definite(
                  ErrorCode.GROUP_NOT_FOUND, "group '" + request.getGroupId() + "' does not exist"))
          .build();
    }
    GroupModel group = GroupModel.of(stored.orElse(GroupModel.empty(request.getGroupId())));
    GroupDescription.Builder description =
        GroupDescription.newBuilder()
            .setGroupId(request.getGroupId())
            .setState(group.state())
            .setGroupEpoch(group.groupEpoch)
            .setAssignor(group.assignor)
            .addAllOffsets(offsets);
    for (GroupModel.Member m : group.members.values()) {
      description.addMembers(
          MemberDescription.newBuilder()
              .setMemberId(m.id)
              .setInstanceId(m.instanceId)
              .setClientId(m.clientId)
              .setMemberEpoch(m.epoch)
              .addAllSubscribedTopics(m.topics)
              .setSubscribedPattern(m.pattern)
              .addAllAssignment(PartitionKey.toWire(m.assignment()))
              .addAllTarget(PartitionKey.toWire(m.target)));
    }
    return response.setGroup(description).build();
  }

  // ---- one heartbeat

  /** Applies one heartbeat to the group as last applied, writing the change if there is one. */
  private final class Heartbeat {
    private final LocalReplicas.Partition partition;
    private final GroupHeartbeatRequest request;

    Heartbeat(LocalReplicas.Partition partition, GroupHeartbeatRequest request) {
      this.partition = partition;
      this.request = request;
    }

    CompletableFuture<GroupHeartbeatResponse> run() {
      String groupId = request.getGroupId();
      GroupState stored = partition.stateMachine().group(groupId).orElse(GroupModel.empty(groupId));
      GroupModel group = GroupModel.of(stored);
      GroupHeartbeatResponse.Builder response = GroupHeartbeatResponse.newBuilder();
      if (!request.getSubscribedPattern().isEmpty()) {
        try {
          java.util.regex.Pattern.compile(request.getSubscribedPattern());
        } catch (java.util.regex.PatternSyntaxException e) {
          return done(
              response
                  .setError(
                      Errors.definite(
                          ErrorCode.INVALID_REQUEST,
                          "invalid subscription pattern: " + e.getMessage()))
                  .build());
        }
      }
      int sessionTimeout =
          Math.max(
              MIN_SESSION_TIMEOUT_MS,
              Math.min(MAX_SESSION_TIMEOUT_MS, request.getSessionTimeoutMs()));
      GroupModel.Member member;
      switch (request.getMemberEpoch()) {
        case 0 -> member = join(group, sessionTimeout);
        case -1 -> {
          group.members.remove(request.getMemberId());
          forget(groupId, request.getMemberId());
          return save(
              stored, group, response.setMemberId(request.getMemberId()).setMemberEpoch(-1));
        }
        default -> {
          member = group.members.get(request.getMemberId());
          if (member == null) {
            return done(
                response
                    .setError(
                        Errors.definite(
                            ErrorCode.UNKNOWN_MEMBER_ID,
                            "member " + request.getMemberId() + " is not in group " + groupId))
                    .build());
          }
          if (request.getMemberEpoch() == -2) {
            // A static member leaving for a restart keeps its place until its session runs out.
            return done(response.setMemberId(member.id).setMemberEpoch(-2).build());
          }
          if (request.getMemberEpoch() > member.epoch) {
            return done(
                response
                    .setError(
                        Errors.definite(
                            ErrorCode.FENCED_MEMBER,
                            "member epoch "
                                + request.getMemberEpoch()
                                + " is newer than "
                                + member.epoch))
                    .build());
          }
          member.subscribe(
              request.getSubscribedTopicsList(), request.getSubscribedPattern(), sessionTimeout);
        }
      }
      lastSeen
          .computeIfAbsent(groupId, g -> new ConcurrentHashMap<>())
          .put(member.id, clock.millis());
      group.retarget(replicas.view());
      member.reconcile(PartitionKey.fromWire(request.getOwnedList()), group);
      // A member that still has to release or receive partitions checks back soon, so a handover
      // takes a fraction of a second instead of two heartbeat intervals.
      int interval =
          member.held.equals(member.target)
              ? Math.min(MAX_HEARTBEAT_INTERVAL_MS, member.sessionTimeoutMs / 3)
              : RECONCILING_HEARTBEAT_INTERVAL_MS;
      String memberId = member.id;
      return save(stored, group, response.setMemberId(memberId).setHeartbeatIntervalMs(interval))
          .thenApply(
              saved -> {
                if (saved.hasError()) {
                  return saved;
                }
                GroupModel.Member now = group.members.get(memberId);
                return saved.toBuilder()
                    .setMemberEpoch(now.epoch)
                    .addAllAssignment(PartitionKey.toWire(now.assignment()))
                    .build();
              });
    }

    private GroupModel.Member join(GroupModel group, int sessionTimeout) {
      String instanceId = request.getInstanceId();
      GroupModel.Member existing = instanceId.isEmpty() ? null : group.byInstance(instanceId);
      if (group.members.isEmpty()) {
        group.assignor =
            GroupAssignor.isKnown(request.getAssignor())
                ? request.getAssignor()
                : GroupAssignor.STICKY;
      }
      // Members choose their id, so a join retried after a lost reply finds itself here.
      String memberId = request.getMemberId().isEmpty() ? newMemberId() : request.getMemberId();
      GroupModel.Member again = group.members.get(memberId);
      if (again != null) {
        return again;
      }
      GroupModel.Member member =
          existing != null
              ? group.replace(existing, memberId)
              : group.add(memberId, instanceId, request.getClientId());
      member.subscribe(
          request.getSubscribedTopicsList(), request.getSubscribedPattern(), sessionTimeout);
      return member;
    }

    private CompletableFuture<GroupHeartbeatResponse> save(
        GroupState stored, GroupModel group, GroupHeartbeatResponse.Builder response) {
      GroupState next = group.toState();
      if (next.equals(stored)) {
        return done(response.build());
      }
      return putGroup(partition, stored, next)
          .thenApply(error -> error == null ? response.build() : response.setError(error).build());
    }
  }

  private CompletableFuture<@Nullable Error> putGroup(
      LocalReplicas.Partition partition, GroupState stored, GroupState next) {
    GroupCommand command =
        GroupCommand.newBuilder()
            .setGroupId(next.getGroupId())
            .setPutGroup(
                PutGroup.newBuilder().setExpectedVersion(stored.getVersion()).setState(next))
            .build();
    return write(partition, command).thenApply(r -> r.hasError() ? r.getError() : null);
  }

  private CompletableFuture<PartitionCommandResult> write(
      LocalReplicas.Partition partition, GroupCommand command) {
    return submitter.submit(
        partition, PartitionCommand.newBuilder().setGroup(command).build(), WRITE_TIMEOUT_MS);
  }

  // ---- session expiry

  private void expireMembersSafely() {
    try {
      expireMembers();
    } catch (RuntimeException e) {
      LOG.warn("node {}: expiring group members failed; will retry", nodeId, e);
    }
  }

  private void expireMembers() {
    long now = clock.millis();
    Set<String> coordinated = new java.util.HashSet<>();
    for (LocalReplicas.Partition partition : groupsTopic.ledPartitions()) {
      int p = partition.partition();
      coordinated.addAll(partition.stateMachine().groups().keySet());
      long term = java.util.Objects.requireNonNull(partition.division()).getInfo().getCurrentTerm();
      Long previousTerm = leaderTerms.put(p, term);
      boolean newTerm = previousTerm == null || previousTerm != term;
      for (GroupState group : partition.stateMachine().groups().values()) {
        if (newTerm) {
          lastSeen.put(group.getGroupId(), new ConcurrentHashMap<>());
        }
        Map<String, Long> seen =
            lastSeen.computeIfAbsent(group.getGroupId(), g -> new ConcurrentHashMap<>());
        for (var member : group.getMembersList()) {
          // A member this coordinator has not heard from in its term gets a full session.
          long last = seen.computeIfAbsent(member.getMemberId(), m -> now);
          String key = group.getGroupId() + "\u0000" + member.getMemberId();
          if (now - last > member.getSessionTimeoutMs() && expiring.add(key)) {
            serially(
                    group.getGroupId(),
                    () -> expire(partition, group.getGroupId(), member.getMemberId()))
                .whenComplete((v, e) -> expiring.remove(key));
          }
        }
      }
    }
    // Forget groups this node no longer coordinates (or that never existed): the maps stay as
    // small as the set of live groups here.
    lastSeen.keySet().retainAll(coordinated);
  }

  private CompletableFuture<Void> expire(
      LocalReplicas.Partition partition, String groupId, String memberId) {
    Optional<GroupState> stored = partition.stateMachine().group(groupId);
    Long last = lastSeen.getOrDefault(groupId, Map.of()).get(memberId);
    GroupModel group = stored.map(GroupModel::of).orElse(null);
    GroupModel.Member member = group == null ? null : group.members.get(memberId);
    if (member == null || last == null || clock.millis() - last <= member.sessionTimeoutMs) {
      return done(null);
    }
    LOG.info(
        "node {}: member {} of group {} missed its session; its partitions move",
        nodeId,
        memberId,
        groupId);
    group.members.remove(memberId);
    forget(groupId, memberId);
    group.retarget(replicas.view());
    return putGroup(partition, stored.get(), group.toState()).thenApply(error -> null);
  }

  private void forget(String groupId, String memberId) {
    Map<String, Long> seen = lastSeen.get(groupId);
    if (seen != null) {
      seen.remove(memberId);
    }
  }

  // ---- where groups live

  private record Coordinator(LocalReplicas.@Nullable Partition partition, @Nullable Error error) {}

  /** This node's replica coordinating the group, or the error telling the client where to go. */
  private Coordinator coordinatorOf(String groupId) {
    Error invalid = checkGroupId(groupId);
    if (invalid != null) {
      return new Coordinator(null, invalid);
    }
    PartitionLookup.Resolved resolved = groupsTopic.coordinatorOf(groupId);
    return new Coordinator(resolved.partition(), resolved.error());
  }

  static int partitionOf(String groupId) {
    return InternalTopic.partitionOf(groupId, PARTITIONS);
  }

  private static @Nullable Error checkGroupId(String groupId) {
    if (groupId.isBlank()
        || groupId.length() > 249
        || groupId.chars().anyMatch(Character::isISOControl)) {
      return Errors.definite(
          ErrorCode.INVALID_GROUP_ID,
          "group id '" + groupId + "' is invalid: use 1 to 249 printable characters");
    }
    return null;
  }

  private static String newMemberId() {
    return java.util.UUID.randomUUID().toString();
  }

  /**
   * Runs group operations one at a time per group, each after the previous one's write. The map
   * keeps one (completed) future per group it has seen.
   */
  private <T> CompletableFuture<T> serially(
      String groupId, Supplier<CompletableFuture<T>> operation) {
    return queues.run(groupId, operation);
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
