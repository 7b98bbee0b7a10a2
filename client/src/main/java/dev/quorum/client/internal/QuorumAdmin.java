package dev.quorum.client.internal;

import com.google.common.util.concurrent.ListenableFuture;
import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.BrokerException;
import dev.quorum.client.ClusterStatus;
import dev.quorum.client.CoordinatorNotAvailableException;
import dev.quorum.client.GroupListing;
import dev.quorum.client.GroupMember;
import dev.quorum.client.InvalidGroupIdException;
import dev.quorum.client.InvalidTxnStateException;
import dev.quorum.client.NewTopic;
import dev.quorum.client.NodeState;
import dev.quorum.client.OffsetResetSpec;
import dev.quorum.client.PartitionDescription;
import dev.quorum.client.PartitionLag;
import dev.quorum.client.ProducerDescription;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.TopicDescription;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.TransactionDescription;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import dev.quorum.protocol.v1.CommitOffsetsResponse;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.CreateTopicRequest;
import dev.quorum.protocol.v1.DeleteTopicRequest;
import dev.quorum.protocol.v1.DescribeGroupRequest;
import dev.quorum.protocol.v1.DescribeGroupResponse;
import dev.quorum.protocol.v1.DescribeProducersRequest;
import dev.quorum.protocol.v1.DescribeProducersResponse;
import dev.quorum.protocol.v1.DescribeTransactionRequest;
import dev.quorum.protocol.v1.DescribeTransactionResponse;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.GroupSummary;
import dev.quorum.protocol.v1.ListGroupsRequest;
import dev.quorum.protocol.v1.ListGroupsResponse;
import dev.quorum.protocol.v1.ListTransactionsRequest;
import dev.quorum.protocol.v1.ListTransactionsResponse;
import dev.quorum.protocol.v1.MemberDescription;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.OffsetSpec;
import dev.quorum.protocol.v1.PartitionMetadata;
import dev.quorum.protocol.v1.PartitionOffsetResult;
import dev.quorum.protocol.v1.ReplicaRole;
import dev.quorum.protocol.v1.ReplicaStatus;
import dev.quorum.protocol.v1.TopicConfig;
import dev.quorum.protocol.v1.TopicMetadata;
import dev.quorum.protocol.v1.WriteTransactionMarkerRequest;
import dev.quorum.protocol.v1.WriteTransactionMarkerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** The {@link Admin}: synchronous calls, each bounded by the request timeout. */
public final class QuorumAdmin implements Admin {
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
  private static final String TRANSACTIONS_TOPIC = "__transactions";

  private final AdminConfig config;
  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final OffsetLookup offsets;
  private final CoordinatorClient coordinator;
  private final CoordinatorClient transactionCoordinator;
  private final LeaderCalls leaders;
  private final Duration callTimeout;
  private final List<String> bootstrap;

  public static QuorumAdmin create(AdminConfig config) {
    return new QuorumAdmin(config, NodeConnections.plaintext());
  }

  QuorumAdmin(AdminConfig config, NodeConnections connections) {
    this.config = config;
    this.connections = connections;
    this.bootstrap = Addresses.parse("bootstrap", config.bootstrap());
    this.callTimeout = QuorumProducer.min(config.requestTimeout(), Duration.ofSeconds(10));
    this.metadata = new MetadataCache(connections, bootstrap, callTimeout);
    this.offsets = new OffsetLookup(connections, metadata, callTimeout);
    this.coordinator = new CoordinatorClient(connections, metadata, bootstrap, callTimeout);
    this.transactionCoordinator =
        new CoordinatorClient(connections, metadata, bootstrap, callTimeout, true);
    this.leaders = new LeaderCalls(connections, metadata, callTimeout);
  }

  @Override
  public TopicDescription createTopic(NewTopic topic) {
    Objects.requireNonNull(topic, "topic");
    long deadline = QuorumConsumer.deadline(config.requestTimeout());
    CreateTopicRequest.Builder request =
        CreateTopicRequest.newBuilder()
            .setName(topic.name())
            .setPartitions(topic.partitions())
            .setReplicationFactor(topic.replicationFactor());
    if (topic.maxMessageBytes() != null) {
      request.setConfig(TopicConfig.newBuilder().setMaxMessageBytes(topic.maxMessageBytes()));
    }
    CreateTopicRequest built = request.build();
    callAnyNode(stub -> stub.createTopic(built), r -> r.getError(), deadline);
    awaitLeaders(topic.name(), deadline);
    return describe(topic.name(), deadline);
  }

  /** Polls metadata until every partition of the topic has a leader. */
  private void awaitLeaders(String name, long deadline) {
    Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    while (true) {
      MetadataResponse response = metadata.refreshBlocking(List.of(name), deadline);
      TopicMetadata t = find(response, name);
      if (t != null
          && t.getPartitionsCount() > 0
          && t.getPartitionsList().stream().allMatch(p -> p.getLeader() > 0)) {
        return;
      }
      long wait = backoff.nextNanos();
      if (System.nanoTime() + wait >= deadline) {
        throw new RequestTimeoutException(
            "topic "
                + name
                + " was created but not every partition had a leader within "
                + config.requestTimeout());
      }
      MetadataCache.sleepNanos(wait);
    }
  }

  @Override
  public void deleteTopic(String name) {
    Objects.requireNonNull(name, "name");
    DeleteTopicRequest request = DeleteTopicRequest.newBuilder().setName(name).build();
    callAnyNode(
        stub -> stub.deleteTopic(request),
        r -> r.getError(),
        QuorumConsumer.deadline(config.requestTimeout()));
  }

  @Override
  public List<String> listTopics() {
    MetadataResponse response =
        metadata.refreshBlocking(List.of(), QuorumConsumer.deadline(config.requestTimeout()));
    List<String> names = new ArrayList<>();
    response.getTopicsList().forEach(t -> names.add(t.getName()));
    names.sort(null);
    return names;
  }

  @Override
  public TopicDescription describeTopic(String name) {
    Objects.requireNonNull(name, "name");
    return describe(name, QuorumConsumer.deadline(config.requestTimeout()));
  }

  private TopicDescription describe(String name, long deadline) {
    MetadataResponse response = metadata.refreshBlocking(List.of(name), deadline);
    TopicMetadata t = find(response, name);
    if (t == null) {
      throw new UnknownTopicException("topic " + name + " does not exist");
    }
    if (t.hasError() && t.getError().getCode() != ErrorCode.NONE) {
      throw ErrorCodes.toException(t.getError());
    }
    List<TopicPartition> tps = new ArrayList<>();
    t.getPartitionsList().forEach(p -> tps.add(new TopicPartition(name, p.getPartition())));
    // Offsets are best effort: a partition without a reachable leader reports -1.
    long offsetsDeadline = Math.min(deadline, QuorumConsumer.deadline(Duration.ofSeconds(5)));
    Map<TopicPartition, PartitionOffsetResult> start =
        offsets.lookupAvailable(
            OffsetLookup.all(tps, OffsetLookup.Query.EARLIEST), offsetsDeadline);
    Map<TopicPartition, PartitionOffsetResult> end =
        offsets.lookupAvailable(OffsetLookup.all(tps, OffsetLookup.Query.LATEST), offsetsDeadline);
    List<PartitionDescription> partitions = new ArrayList<>();
    for (PartitionMetadata p : t.getPartitionsList()) {
      TopicPartition tp = new TopicPartition(name, p.getPartition());
      partitions.add(
          new PartitionDescription(
              p.getPartition(),
              p.getLeader() > 0 ? p.getLeader() : null,
              p.getReplicasList(),
              start.containsKey(tp) ? start.get(tp).getOffset() : -1,
              end.containsKey(tp) ? end.get(tp).getOffset() : -1));
    }
    partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
    return new TopicDescription(
        name, t.getTopicId(), t.getConfig().getMaxMessageBytes(), partitions);
  }

  private static TopicMetadata find(MetadataResponse response, String name) {
    for (TopicMetadata t : response.getTopicsList()) {
      if (t.getName().equals(name)) {
        return t.hasError() && t.getError().getCode() == ErrorCode.UNKNOWN_TOPIC ? null : t;
      }
    }
    return null;
  }

  @Override
  public ClusterStatus clusterStatus() {
    MetadataResponse response =
        metadata.refreshBlocking(List.of(), QuorumConsumer.deadline(config.requestTimeout()));
    Map<NodeInfo, CompletableFuture<NodeStatusResponse>> calls = new LinkedHashMap<>();
    for (NodeInfo n : metadata.nodes()) {
      CompletableFuture<NodeStatusResponse> call;
      try {
        call =
            Rpc.toCompletable(
                connections
                    .stub(MetadataCache.address(n))
                    .withDeadlineAfter(STATUS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .nodeStatus(NodeStatusRequest.getDefaultInstance()));
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      calls.put(n, call);
    }
    List<NodeState> nodes = new ArrayList<>();
    calls.forEach(
        (n, call) -> {
          NodeStatusResponse status;
          try {
            status = call.join();
          } catch (RuntimeException e) {
            nodes.add(
                new NodeState(n.getId(), n.getHost(), n.getClientPort(), false, false, List.of()));
            return;
          }
          List<TopicPartition> leaderOf = new ArrayList<>();
          for (ReplicaStatus r : status.getReplicasList()) {
            if (r.getRole() == ReplicaRole.REPLICA_ROLE_LEADER) {
              leaderOf.add(new TopicPartition(r.getTopic(), r.getPartition()));
            }
          }
          nodes.add(
              new NodeState(
                  n.getId(),
                  n.getHost(),
                  n.getClientPort(),
                  true,
                  status.getMetadataRole() == ReplicaRole.REPLICA_ROLE_LEADER,
                  leaderOf));
        });
    return new ClusterStatus(response.getClusterId(), nodes);
  }

  /**
   * Sends a request to some node, following NOT_LEADER hints and retrying retriable errors with
   * backoff until the deadline. Non-retriable errors are thrown at once.
   */
  private <T> T callAnyNode(
      Function<BrokerGrpc.BrokerFutureStub, ListenableFuture<T>> rpc,
      Function<T, Error> errorOf,
      long deadline) {
    Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    String preferred = null;
    BrokerException last = null;
    while (true) {
      Set<String> candidates = new LinkedHashSet<>();
      if (preferred != null) {
        candidates.add(preferred);
      }
      metadata.nodes().forEach(n -> candidates.add(MetadataCache.address(n)));
      candidates.addAll(bootstrap);
      preferred = null;
      for (String address : candidates) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMs <= 0) {
          break;
        }
        T response;
        try {
          response =
              Rpc.toCompletable(
                      rpc.apply(
                          connections
                              .stub(address)
                              .withDeadlineAfter(remainingMs, TimeUnit.MILLISECONDS)))
                  .join();
        } catch (RuntimeException e) {
          last = ErrorCodes.fromTransport(e, address, true);
          continue;
        }
        Error error = errorOf.apply(response);
        if (error == null || error.getCode() == ErrorCode.NONE) {
          return response;
        }
        last = ErrorCodes.toException(error);
        if (!ErrorCodes.isRetriable(error.getCode())) {
          throw last;
        }
        if (error.getCode() == ErrorCode.NOT_LEADER && error.getLeaderHint() > 0) {
          String hinted = metadata.addressOf(error.getLeaderHint());
          if (hinted == null) {
            try {
              metadata.refresh(List.of()).join();
            } catch (RuntimeException e) {
              // Fall back to trying every node.
            }
            hinted = metadata.addressOf(error.getLeaderHint());
          }
          if (hinted != null && !hinted.equals(address)) {
            preferred = hinted;
            break;
          }
        }
      }
      long wait = preferred != null ? 0 : backoff.nextNanos();
      if (System.nanoTime() + wait >= deadline) {
        throw last != null
            ? last
            : new RequestTimeoutException("no node answered within " + config.requestTimeout());
      }
      MetadataCache.sleepNanos(wait);
    }
  }

  @Override
  public List<GroupListing> listGroups() {
    // A group seen twice (its coordinator moved while we asked) is listed once.
    Map<String, GroupListing> groups = new TreeMap<>();
    for (ListGroupsResponse response :
        askEveryNode(stub -> stub.listGroups(ListGroupsRequest.getDefaultInstance()))) {
      for (GroupSummary g : response.getGroupsList()) {
        groups.putIfAbsent(
            g.getGroupId(), new GroupListing(g.getGroupId(), g.getState(), g.getMembers()));
      }
    }
    return List.copyOf(groups.values());
  }

  @Override
  public List<TransactionDescription> listTransactions() {
    Map<String, TransactionDescription> transactions = new TreeMap<>();
    for (ListTransactionsResponse response :
        askEveryNode(stub -> stub.listTransactions(ListTransactionsRequest.getDefaultInstance()))) {
      for (var t : response.getTransactionsList()) {
        transactions.putIfAbsent(t.getTransactionalId(), fromWire(t));
      }
    }
    return List.copyOf(transactions.values());
  }

  @Override
  public TransactionDescription describeTransaction(String transactionalId) {
    Objects.requireNonNull(transactionalId, "transactionalId");
    DescribeTransactionRequest request =
        DescribeTransactionRequest.newBuilder().setTransactionalId(transactionalId).build();
    return fromWire(
        transactionCoordinator
            .call(
                transactionalId,
                stub -> stub.describeTransaction(request),
                DescribeTransactionResponse::getError,
                QuorumConsumer.deadline(config.requestTimeout()))
            .getTransaction());
  }

  @Override
  public List<ProducerDescription> describeProducers(TopicPartition partition) {
    Objects.requireNonNull(partition, "partition");
    DescribeProducersRequest request =
        DescribeProducersRequest.newBuilder()
            .setTopic(partition.topic())
            .setPartition(partition.partition())
            .build();
    DescribeProducersResponse response =
        leaders.call(
            partition,
            stub -> stub.describeProducers(request),
            DescribeProducersResponse::getError,
            QuorumConsumer.deadline(config.requestTimeout()),
            false);
    List<ProducerDescription> producers = new ArrayList<>();
    for (var p : response.getProducersList()) {
      producers.add(
          new ProducerDescription(
              partition,
              p.getProducerId(),
              p.getProducerEpoch(),
              p.getLastSequence(),
              java.time.Instant.ofEpochMilli(p.getLastAppendTimeMs()),
              p.getTransactionOpen() ? p.getTransactionEpoch() : -1,
              p.getTransactionOpen() ? p.getTransactionFirstOffset() : -1));
    }
    producers.sort(Comparator.comparingLong(ProducerDescription::producerId));
    return producers;
  }

  @Override
  public List<ProducerDescription> findHangingTransactions() {
    List<ProducerDescription> open = new ArrayList<>();
    MetadataResponse all =
        metadata.refreshBlocking(List.of(), QuorumConsumer.deadline(config.requestTimeout()));
    for (TopicMetadata t : all.getTopicsList()) {
      for (var p : t.getPartitionsList()) {
        for (ProducerDescription d :
            describeProducers(new TopicPartition(t.getName(), p.getPartition()))) {
          if (d.transactionOpen()) {
            open.add(d);
          }
        }
      }
    }
    if (open.isEmpty()) {
      return List.of();
    }
    List<TransactionDescription> inProgress = transactionsInProgress();
    // Open still after no coordinator had it: it was open all along (a marker, once written,
    // closes it for good), so no coordinator will ever end it.
    Map<TopicPartition, List<ProducerDescription>> again = new HashMap<>();
    List<ProducerDescription> hanging = new ArrayList<>();
    for (ProducerDescription d : open) {
      if (inProgress(inProgress, d.producerId(), d.transactionEpoch()) == null
          && again.computeIfAbsent(d.partition(), this::describeProducers).stream()
              .anyMatch(
                  now ->
                      now.producerId() == d.producerId()
                          && now.transactionEpoch() == d.transactionEpoch())) {
        hanging.add(d);
      }
    }
    return hanging;
  }

  @Override
  public void abortTransaction(TopicPartition partition, long producerId, int producerEpoch) {
    Objects.requireNonNull(partition, "partition");
    boolean open =
        describeProducers(partition).stream()
            .anyMatch(p -> p.producerId() == producerId && p.transactionEpoch() == producerEpoch);
    if (!open) {
      throw new InvalidTxnStateException(
          "producer "
              + producerId
              + " has no open transaction of epoch "
              + producerEpoch
              + " in "
              + partition);
    }
    TransactionDescription coordinated =
        inProgress(transactionsInProgress(), producerId, producerEpoch);
    if (coordinated != null) {
      throw new InvalidTxnStateException(
          "transactional id "
              + coordinated.transactionalId()
              + " has this transaction "
              + coordinated.state()
              + " at its coordinator (node "
              + coordinated.coordinator()
              + "), which will end it; an abort written here could tear it");
    }
    WriteTransactionMarkerRequest marker =
        WriteTransactionMarkerRequest.newBuilder()
            .setTopic(partition.topic())
            .setPartition(partition.partition())
            .setProducerId(producerId)
            .setProducerEpoch(producerEpoch)
            .setCommit(false)
            .build();
    leaders.call(
        partition,
        stub -> stub.writeTransactionMarker(marker),
        WriteTransactionMarkerResponse::getError,
        QuorumConsumer.deadline(config.requestTimeout()),
        true);
  }

  private static TransactionDescription inProgress(
      List<TransactionDescription> transactions, long producerId, int epoch) {
    for (TransactionDescription t : transactions) {
      if (t.producerId() == producerId && t.producerEpoch() == epoch) {
        return t;
      }
    }
    return null;
  }

  /**
   * The transactions every coordinator has open or being decided. Throws unless some node answered
   * for every coordinator partition: one nobody listed (its leader moving, say) could hide one.
   */
  private List<TransactionDescription> transactionsInProgress() {
    long deadline = QuorumConsumer.deadline(config.requestTimeout());
    TopicMetadata coordinators =
        find(metadata.refreshBlocking(List.of(TRANSACTIONS_TOPIC), deadline), TRANSACTIONS_TOPIC);
    java.util.Set<Integer> unanswered = new java.util.TreeSet<>();
    if (coordinators != null) {
      coordinators.getPartitionsList().forEach(p -> unanswered.add(p.getPartition()));
    }
    List<TransactionDescription> inProgress = new ArrayList<>();
    for (ListTransactionsResponse response :
        askEveryNode(stub -> stub.listTransactions(ListTransactionsRequest.getDefaultInstance()))) {
      unanswered.removeAll(response.getCoordinatorPartitionsList());
      for (var t : response.getTransactionsList()) {
        if (!t.getState().equals("EMPTY")) {
          inProgress.add(fromWire(t));
        }
      }
    }
    if (!unanswered.isEmpty()) {
      throw new CoordinatorNotAvailableException(
          "no node answered for partitions "
              + unanswered
              + " of "
              + TRANSACTIONS_TOPIC
              + " (a leader is down or moving), so their transactions are unknown; try again");
    }
    return inProgress;
  }

  private static TransactionDescription fromWire(dev.quorum.protocol.v1.TransactionDescription t) {
    return new TransactionDescription(
        t.getTransactionalId(),
        t.getProducerId(),
        t.getProducerEpoch(),
        t.getState(),
        GroupWire.fromWire(t.getPartitionsList()),
        t.getStartTimeMs() == 0 ? null : java.time.Instant.ofEpochMilli(t.getStartTimeMs()),
        Duration.ofMillis(t.getTimeoutMs()),
        t.getCoordinatorId(),
        t.getLastOutcome());
  }

  /** The answers of every node that answered; fails only if none did. */
  private <T> List<T> askEveryNode(
      Function<BrokerGrpc.BrokerFutureStub, com.google.common.util.concurrent.ListenableFuture<T>>
          rpc) {
    metadata.refreshBlocking(List.of(), QuorumConsumer.deadline(config.requestTimeout()));
    Map<NodeInfo, CompletableFuture<T>> calls = new LinkedHashMap<>();
    for (NodeInfo n : metadata.nodes()) {
      CompletableFuture<T> call;
      try {
        call =
            Rpc.toCompletable(
                rpc.apply(
                    connections
                        .stub(MetadataCache.address(n))
                        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)));
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      calls.put(n, call);
    }
    List<T> answers = new ArrayList<>();
    BrokerException last = null;
    for (Map.Entry<NodeInfo, CompletableFuture<T>> c : calls.entrySet()) {
      try {
        answers.add(c.getValue().join());
      } catch (RuntimeException e) {
        last = ErrorCodes.fromTransport(e, MetadataCache.address(c.getKey()), false);
      }
    }
    if (answers.isEmpty() && last != null) {
      throw last;
    }
    return answers;
  }

  @Override
  public dev.quorum.client.GroupDescription describeGroup(String groupId) {
    checkGroupId(groupId);
    long deadline = QuorumConsumer.deadline(config.requestTimeout());
    DescribeGroupRequest request = DescribeGroupRequest.newBuilder().setGroupId(groupId).build();
    DescribeGroupResponse response =
        coordinator.call(
            groupId,
            stub -> stub.describeGroup(request),
            DescribeGroupResponse::getError,
            deadline);
    dev.quorum.protocol.v1.GroupDescription g = response.getGroup();
    List<GroupMember> members = new ArrayList<>();
    for (MemberDescription m : g.getMembersList()) {
      members.add(
          new GroupMember(
              m.getMemberId(),
              m.getInstanceId().isEmpty() ? null : m.getInstanceId(),
              m.getClientId(),
              GroupWire.fromWire(m.getAssignmentList()),
              GroupWire.fromWire(m.getTargetList())));
    }
    Map<TopicPartition, Long> committed = new LinkedHashMap<>();
    for (CommittedOffset c : g.getOffsetsList()) {
      committed.put(new TopicPartition(c.getTopic(), c.getPartition()), c.getOffset());
    }
    // End offsets are best effort, like describeTopic's: an unreachable leader reports -1.
    long offsetsDeadline = Math.min(deadline, QuorumConsumer.deadline(Duration.ofSeconds(5)));
    Map<TopicPartition, PartitionOffsetResult> end =
        offsets.lookupAvailable(
            OffsetLookup.all(new ArrayList<>(committed.keySet()), OffsetLookup.Query.LATEST),
            offsetsDeadline);
    List<PartitionLag> lags = new ArrayList<>();
    committed.forEach(
        (tp, offset) -> {
          PartitionOffsetResult r = end.get(tp);
          long endOffset = r == null ? -1 : r.getOffset();
          long lag = endOffset < 0 ? -1 : Math.max(0, endOffset - offset);
          lags.add(new PartitionLag(tp, offset, endOffset, lag));
        });
    lags.sort(
        Comparator.comparing((PartitionLag l) -> l.partition().topic())
            .thenComparingInt(l -> l.partition().partition()));
    return new dev.quorum.client.GroupDescription(
        g.getGroupId().isEmpty() ? groupId : g.getGroupId(),
        g.getState(),
        g.getGroupEpoch(),
        g.getAssignor(),
        members,
        lags);
  }

  @Override
  public Map<TopicPartition, Long> resetOffsets(
      String groupId, String topic, OffsetResetSpec spec) {
    checkGroupId(groupId);
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(spec, "spec");
    long deadline = QuorumConsumer.deadline(config.requestTimeout());
    MetadataResponse response = metadata.refreshBlocking(List.of(topic), deadline);
    TopicMetadata t = find(response, topic);
    if (t == null) {
      throw new UnknownTopicException("topic " + topic + " does not exist");
    }
    List<TopicPartition> tps = new ArrayList<>();
    t.getPartitionsList().forEach(p -> tps.add(new TopicPartition(topic, p.getPartition())));
    tps.sort(Comparator.comparingInt(TopicPartition::partition));
    Map<TopicPartition, Long> target = resolve(tps, spec, deadline);
    CommitOffsetsRequest request =
        CommitOffsetsRequest.newBuilder()
            .setGroupId(groupId)
            .addAllOffsets(GroupWire.commits(target))
            .build();
    coordinator.call(
        groupId, stub -> stub.commitOffsets(request), CommitOffsetsResponse::getError, deadline);
    return target;
  }

  /** The offset {@code spec} means for each partition, in partition order. */
  private Map<TopicPartition, Long> resolve(
      List<TopicPartition> tps, OffsetResetSpec spec, long deadline) {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    switch (spec.kind()) {
      case EARLIEST -> lookup(tps, OffsetLookup.Query.EARLIEST, deadline).forEach(out::put);
      case LATEST -> lookup(tps, OffsetLookup.Query.LATEST, deadline).forEach(out::put);
      case OFFSET -> {
        // Like Kafka's tool: an offset outside the log is clamped to its current range.
        Map<TopicPartition, Long> start = lookup(tps, OffsetLookup.Query.EARLIEST, deadline);
        Map<TopicPartition, Long> end = lookup(tps, OffsetLookup.Query.LATEST, deadline);
        for (TopicPartition tp : tps) {
          out.put(tp, Math.max(start.get(tp), Math.min(end.get(tp), spec.offset())));
        }
      }
      case DATETIME -> {
        OffsetLookup.Query q =
            new OffsetLookup.Query(
                OffsetSpec.OFFSET_SPEC_TIMESTAMP, spec.datetime().toEpochMilli());
        Map<TopicPartition, Long> at = lookup(tps, q, deadline);
        List<TopicPartition> none = new ArrayList<>();
        tps.forEach(
            tp -> {
              if (at.get(tp) < 0) {
                none.add(tp);
              }
            });
        Map<TopicPartition, Long> end = lookup(none, OffsetLookup.Query.LATEST, deadline);
        for (TopicPartition tp : tps) {
          out.put(tp, at.get(tp) >= 0 ? at.get(tp) : end.get(tp));
        }
      }
    }
    return out;
  }

  private Map<TopicPartition, Long> lookup(
      List<TopicPartition> tps, OffsetLookup.Query query, long deadline) {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    if (tps.isEmpty()) {
      return out;
    }
    Map<TopicPartition, PartitionOffsetResult> found =
        offsets.lookup(OffsetLookup.all(tps, query), deadline);
    for (TopicPartition tp : tps) {
      out.put(tp, found.get(tp).getOffset());
    }
    return out;
  }

  private static void checkGroupId(String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    if (groupId.isBlank()) {
      throw new InvalidGroupIdException("group id must not be blank");
    }
  }

  @Override
  public void close() {
    connections.close(Duration.ofSeconds(1));
  }
}
