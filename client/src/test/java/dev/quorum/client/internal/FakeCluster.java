package dev.quorum.client.internal;

import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import dev.quorum.protocol.v1.CommitOffsetsResponse;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.DescribeGroupRequest;
import dev.quorum.protocol.v1.DescribeGroupResponse;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchOffsetsRequest;
import dev.quorum.protocol.v1.FetchOffsetsResponse;
import dev.quorum.protocol.v1.FetchRequest;
import dev.quorum.protocol.v1.FetchResponse;
import dev.quorum.protocol.v1.FindCoordinatorRequest;
import dev.quorum.protocol.v1.FindCoordinatorResponse;
import dev.quorum.protocol.v1.GroupDescription;
import dev.quorum.protocol.v1.GroupHeartbeatRequest;
import dev.quorum.protocol.v1.GroupHeartbeatResponse;
import dev.quorum.protocol.v1.GroupSummary;
import dev.quorum.protocol.v1.InitProducerIdRequest;
import dev.quorum.protocol.v1.InitProducerIdResponse;
import dev.quorum.protocol.v1.ListGroupsRequest;
import dev.quorum.protocol.v1.ListGroupsResponse;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.MemberDescription;
import dev.quorum.protocol.v1.MetadataRequest;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.OffsetCommit;
import dev.quorum.protocol.v1.PartitionFetch;
import dev.quorum.protocol.v1.PartitionFetchResult;
import dev.quorum.protocol.v1.PartitionMetadata;
import dev.quorum.protocol.v1.PartitionOffsetQuery;
import dev.quorum.protocol.v1.PartitionOffsetResult;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.PartitionProduceResult;
import dev.quorum.protocol.v1.ProduceRequest;
import dev.quorum.protocol.v1.ProduceResponse;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import dev.quorum.protocol.v1.ReplicaRole;
import dev.quorum.protocol.v1.ReplicaStatus;
import dev.quorum.protocol.v1.TopicConfig;
import dev.quorum.protocol.v1.TopicMetadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process stand-in for a Quorum cluster: each node is a gRPC in-process server named {@code
 * <prefix>-nodeN:N}. Partition logs are shared; who leads is decided per partition, and what
 * metadata *claims* about leaders can differ from the truth (to provoke NOT_LEADER).
 */
final class FakeCluster implements AutoCloseable {
  /** Lets a test answer a produce for one partition itself; return null to proceed normally. */
  interface ProduceHook {
    Error onProduce(int nodeId, PartitionProduce partition);
  }

  final String prefix = "fake-" + UUID.randomUUID().toString().substring(0, 8);
  final Map<Integer, Server> servers = new ConcurrentHashMap<>();
  final Map<String, Integer> topics = new ConcurrentHashMap<>();
  final Map<TopicPartition, Integer> leaders = new ConcurrentHashMap<>();
  final Map<TopicPartition, Integer> advertisedLeaders = new ConcurrentHashMap<>();
  final Map<TopicPartition, List<RecordBatch>> logs = new ConcurrentHashMap<>();
  final Map<Integer, List<ProduceRequest>> produceRequests = new ConcurrentHashMap<>();
  final Map<Integer, List<FetchRequest>> fetchRequests = new ConcurrentHashMap<>();
  volatile ProduceHook produceHook = (node, p) -> null;

  /** Runs before a fetch is read, on the server thread (a test may hold the fetch there). */
  volatile Runnable beforeFetch = () -> {};

  // ---- idempotent producers: ids handed out, and per partition what each producer appended ----
  /** Node ids asked InitProducerId, in arrival order (failed calls included). */
  final List<Integer> initProducerIdCalls = new CopyOnWriteArrayList<>();

  /** Errors answered, one each, to the next InitProducerId calls. */
  final Queue<ErrorCode> initProducerIdErrors = new ConcurrentLinkedQueue<>();

  /** How many of the next InitProducerId calls fail in transport (gRPC UNAVAILABLE). */
  final AtomicInteger initProducerIdTransportFailures = new AtomicInteger();

  final AtomicLong lastProducerId = new AtomicLong(1000);

  /** Every partition produce as received, in arrival order (with producer id, epoch, sequence). */
  final List<PartitionProduce> produced = new CopyOnWriteArrayList<>();

  /** How many of the next produce requests are handled but answered with a transport failure. */
  final AtomicInteger lostProduceReplies = new AtomicInteger();

  /** Produce results answered, in order (to see duplicates). */
  final List<PartitionProduceResult> produceResults = new CopyOnWriteArrayList<>();

  private record SequenceKey(TopicPartition tp, long producerId, int epoch) {}

  private record Appended(int baseSequence, long baseOffset) {}

  /** Like the node: the producer's last 16 batches, so a retry of any of them is a duplicate. */
  private record SequenceState(List<Appended> last, int nextSequence) {}

  private final Map<SequenceKey, SequenceState> sequences = new ConcurrentHashMap<>();

  /** The produces that reached partition {@code tp}, in arrival order. */
  List<PartitionProduce> produced(TopicPartition tp) {
    List<PartitionProduce> out = new ArrayList<>();
    for (PartitionProduce p : produced) {
      if (p.getTopic().equals(tp.topic()) && p.getPartition() == tp.partition()) {
        out.add(p);
      }
    }
    return out;
  }

  private final int nodeCount;

  // ---- a small fake group coordinator: every member of a group gets `target` ----
  /** A group call as received: the node asked and the request. */
  record GroupCall(int node, Object request) {}

  /** One member as the fake coordinator tracks it. */
  static final class FakeMember {
    final String id;
    final String instanceId;
    volatile int epoch = 1;
    volatile Set<TopicPartition> owned = Set.of();

    FakeMember(String id, String instanceId) {
      this.id = id;
      this.instanceId = instanceId;
    }
  }

  /** One group's members and committed offsets. */
  static final class FakeGroup {
    final Map<String, FakeMember> members = new ConcurrentHashMap<>();
    final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
  }

  /** The node that coordinates every group not listed in {@link #groupCoordinators}. */
  volatile int coordinatorId = 1;

  final Map<String, Integer> groupCoordinators = new ConcurrentHashMap<>();

  /** What FindCoordinator answers; 0 = the true coordinator. */
  volatile int findCoordinatorAnswer;

  volatile Set<TopicPartition> target = Set.of();
  volatile int heartbeatIntervalMs = 50;
  final Map<String, FakeGroup> groups = new ConcurrentHashMap<>();

  /** Every group call, in arrival order (including the answered-with-error ones). */
  final List<GroupCall> groupCalls = new CopyOnWriteArrayList<>();

  /** Errors answered, one each, to the next heartbeats / commits reaching the coordinator. */
  final Queue<ErrorCode> heartbeatErrors = new ConcurrentLinkedQueue<>();

  final Queue<ErrorCode> commitErrors = new ConcurrentLinkedQueue<>();
  private final AtomicInteger memberIds = new AtomicInteger();

  int coordinatorOf(String groupId) {
    return groupCoordinators.getOrDefault(groupId, coordinatorId);
  }

  FakeGroup group(String groupId) {
    return groups.computeIfAbsent(groupId, g -> new FakeGroup());
  }

  /** Heartbeats that reached the true coordinator and were not answered with an error. */
  List<GroupHeartbeatRequest> heartbeats() {
    List<GroupHeartbeatRequest> out = new ArrayList<>();
    for (GroupCall c : groupCalls) {
      if (c.request() instanceof GroupHeartbeatRequest h) {
        out.add(h);
      }
    }
    return out;
  }

  List<CommitOffsetsRequest> commits() {
    List<CommitOffsetsRequest> out = new ArrayList<>();
    for (GroupCall c : groupCalls) {
      if (c.request() instanceof CommitOffsetsRequest r) {
        out.add(r);
      }
    }
    return out;
  }

  FakeCluster(int nodeCount) {
    this.nodeCount = nodeCount;
    for (int id = 1; id <= nodeCount; id++) {
      produceRequests.put(id, new CopyOnWriteArrayList<>());
      fetchRequests.put(id, new CopyOnWriteArrayList<>());
      try {
        servers.put(
            id,
            InProcessServerBuilder.forName(address(id)).addService(new Node(id)).build().start());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  String address(int id) {
    return prefix + "-node" + id + ":" + id;
  }

  String bootstrap() {
    return address(1);
  }

  NodeConnections connections() {
    return new NodeConnections(a -> InProcessChannelBuilder.forName(a).build());
  }

  /** Creates a topic whose partition p is led by {@code leaderOf[p]}. */
  void createTopic(String name, int... leaderOf) {
    topics.put(name, leaderOf.length);
    for (int p = 0; p < leaderOf.length; p++) {
      TopicPartition tp = new TopicPartition(name, p);
      leaders.put(tp, leaderOf[p]);
      logs.put(tp, new CopyOnWriteArrayList<>());
    }
  }

  /** Appends a batch directly, as if produced earlier. */
  void append(TopicPartition tp, String... values) {
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      records.add(
          Record.newBuilder()
              .setOffsetDelta(i)
              .setValue(com.google.protobuf.ByteString.copyFromUtf8(values[i]))
              .build());
    }
    appendRecords(tp, records);
  }

  synchronized long appendRecords(TopicPartition tp, List<Record> records) {
    long base = endOffset(tp);
    RecordBatch.Builder b = RecordBatch.newBuilder().setBaseOffset(base).setAppendTimeMs(1000);
    for (int i = 0; i < records.size(); i++) {
      b.addRecords(records.get(i).toBuilder().setOffsetDelta(i));
    }
    logs.get(tp).add(b.build());
    return base;
  }

  /** Appends like the broker: once per producer id, epoch and base sequence, in sequence order. */
  synchronized void appendProduce(
      TopicPartition tp, PartitionProduce pp, PartitionProduceResult.Builder result) {
    result.setAppendTimeMs(1000);
    if (pp.getProducerId() == 0) {
      result.setBaseOffset(appendRecords(tp, pp.getRecordsList()));
      return;
    }
    SequenceKey key = new SequenceKey(tp, pp.getProducerId(), pp.getProducerEpoch());
    SequenceState state = sequences.get(key);
    if (state != null) {
      for (Appended a : state.last()) {
        if (a.baseSequence() == pp.getBaseSequence()) {
          result.setBaseOffset(a.baseOffset()).setDuplicate(true);
          return;
        }
      }
    }
    int expected = state == null ? 0 : state.nextSequence();
    if (pp.getBaseSequence() != expected) {
      result.setError(
          error(
              ErrorCode.OUT_OF_ORDER_SEQUENCE,
              "expected sequence " + expected + " but got " + pp.getBaseSequence()));
      return;
    }
    long base = appendRecords(tp, pp.getRecordsList());
    List<Appended> last = new ArrayList<>(state == null ? List.of() : state.last());
    last.add(new Appended(pp.getBaseSequence(), base));
    if (last.size() > 16) {
      last.remove(0);
    }
    sequences.put(key, new SequenceState(last, expected + pp.getRecordsCount()));
    result.setBaseOffset(base);
  }

  long endOffset(TopicPartition tp) {
    long end = 0;
    for (RecordBatch b : logs.get(tp)) {
      end = b.getBaseOffset() + b.getRecordsCount();
    }
    return end;
  }

  /**
   * The first offset appended at or after {@code timestampMs}; -1 when none (every batch: 1000).
   */
  long offsetForTime(TopicPartition tp, long timestampMs) {
    for (RecordBatch b : logs.get(tp)) {
      if (b.getAppendTimeMs() >= timestampMs) {
        return b.getBaseOffset();
      }
    }
    return -1;
  }

  /** Values of a partition's log, in offset order. */
  List<String> values(TopicPartition tp) {
    List<String> out = new ArrayList<>();
    for (RecordBatch b : logs.get(tp)) {
      b.getRecordsList().forEach(r -> out.add(r.getValue().toStringUtf8()));
    }
    return out;
  }

  void stop(int id) {
    servers.get(id).shutdownNow();
  }

  @Override
  public void close() {
    servers.values().forEach(Server::shutdownNow);
  }

  private static boolean takeOne(AtomicInteger counter) {
    return counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  private static Error error(ErrorCode code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }

  private Error notLeader(int self, TopicPartition tp) {
    Integer leader = leaders.get(tp);
    if (leader == null) {
      return error(ErrorCode.UNKNOWN_PARTITION, "no partition " + tp);
    }
    if (leader == self) {
      return null;
    }
    return error(ErrorCode.NOT_LEADER, "node " + self + " does not lead " + tp).toBuilder()
        .setLeaderHint(leader)
        .build();
  }

  private final class Node extends BrokerGrpc.BrokerImplBase {
    private final int id;

    Node(int id) {
      this.id = id;
    }

    @Override
    public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> out) {
      MetadataResponse.Builder r = MetadataResponse.newBuilder().setClusterId("fake").setNodeId(id);
      for (int n = 1; n <= nodeCount; n++) {
        r.addNodes(NodeInfo.newBuilder().setId(n).setHost(prefix + "-node" + n).setClientPort(n));
      }
      List<String> names =
          request.getTopicsCount() == 0 ? List.copyOf(topics.keySet()) : request.getTopicsList();
      for (String name : names) {
        Integer count = topics.get(name);
        if (count == null) {
          r.addTopics(
              TopicMetadata.newBuilder()
                  .setName(name)
                  .setError(error(ErrorCode.UNKNOWN_TOPIC, "unknown topic " + name)));
          continue;
        }
        TopicMetadata.Builder t =
            TopicMetadata.newBuilder()
                .setName(name)
                .setTopicId(name.hashCode())
                .setConfig(TopicConfig.newBuilder().setMaxMessageBytes(1 << 20));
        for (int p = 0; p < count; p++) {
          TopicPartition tp = new TopicPartition(name, p);
          int leader = advertisedLeaders.getOrDefault(tp, leaders.getOrDefault(tp, 0));
          t.addPartitions(
              PartitionMetadata.newBuilder().setPartition(p).setLeader(leader).addReplicas(leader));
        }
        r.addTopics(t);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
      produceRequests.get(id).add(request);
      produced.addAll(request.getPartitionsList());
      ProduceResponse.Builder r = ProduceResponse.newBuilder();
      for (PartitionProduce pp : request.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(pp.getTopic(), pp.getPartition());
        PartitionProduceResult.Builder result =
            PartitionProduceResult.newBuilder().setTopic(tp.topic()).setPartition(tp.partition());
        Error e = produceHook.onProduce(id, pp);
        if (e == null) {
          e = notLeader(id, tp);
        }
        if (e != null) {
          result.setError(e);
        } else {
          appendProduce(tp, pp, result);
        }
        produceResults.add(result.build());
        r.addPartitions(result);
      }
      if (takeOne(lostProduceReplies)) {
        out.onError(Status.UNAVAILABLE.withDescription("reply lost").asRuntimeException());
        return;
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void initProducerId(
        InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> out) {
      initProducerIdCalls.add(id);
      if (takeOne(initProducerIdTransportFailures)) {
        out.onError(Status.UNAVAILABLE.withDescription("injected").asRuntimeException());
        return;
      }
      ErrorCode injected = initProducerIdErrors.poll();
      InitProducerIdResponse.Builder r = InitProducerIdResponse.newBuilder();
      if (injected != null) {
        r.setError(error(injected, "injected " + injected));
      } else {
        r.setProducerId(lastProducerId.incrementAndGet()).setProducerEpoch(0);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
      fetchRequests.get(id).add(request);
      beforeFetch.run();
      FetchResponse.Builder r = FetchResponse.newBuilder();
      for (PartitionFetch pf : request.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(pf.getTopic(), pf.getPartition());
        PartitionFetchResult.Builder result =
            PartitionFetchResult.newBuilder().setTopic(tp.topic()).setPartition(tp.partition());
        Error e = notLeader(id, tp);
        if (e != null) {
          result.setError(e);
        } else if (pf.getOffset() > endOffset(tp)) {
          result.setError(error(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + pf.getOffset()));
        } else {
          result.setHighWatermark(endOffset(tp));
          for (RecordBatch b : logs.get(tp)) {
            if (b.getBaseOffset() + b.getRecordsCount() > pf.getOffset()) {
              result.addRecordBatches(b.toByteString());
            }
          }
        }
        r.addPartitions(result);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> out) {
      ListOffsetsResponse.Builder r = ListOffsetsResponse.newBuilder();
      for (PartitionOffsetQuery q : request.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(q.getTopic(), q.getPartition());
        PartitionOffsetResult.Builder result =
            PartitionOffsetResult.newBuilder().setTopic(tp.topic()).setPartition(tp.partition());
        Error e = notLeader(id, tp);
        if (e != null) {
          result.setError(e);
        } else {
          result.setOffset(
              switch (q.getSpec()) {
                case OFFSET_SPEC_EARLIEST -> 0;
                case OFFSET_SPEC_TIMESTAMP -> offsetForTime(tp, q.getTimestampMs());
                default -> endOffset(tp);
              });
        }
        r.addPartitions(result);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    private Error notCoordinator(String groupId) {
      int coordinator = coordinatorOf(groupId);
      if (coordinator == id) {
        return null;
      }
      return error(ErrorCode.NOT_COORDINATOR, "node " + id + " does not coordinate " + groupId)
          .toBuilder()
          .setLeaderHint(coordinator)
          .build();
    }

    @Override
    public void findCoordinator(
        FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> out) {
      int answer =
          findCoordinatorAnswer > 0 ? findCoordinatorAnswer : coordinatorOf(request.getGroupId());
      out.onNext(FindCoordinatorResponse.newBuilder().setNodeId(answer).build());
      out.onCompleted();
    }

    @Override
    public void groupHeartbeat(
        GroupHeartbeatRequest request, StreamObserver<GroupHeartbeatResponse> out) {
      groupCalls.add(new GroupCall(id, request));
      out.onNext(heartbeat(request));
      out.onCompleted();
    }

    private GroupHeartbeatResponse heartbeat(GroupHeartbeatRequest request) {
      GroupHeartbeatResponse.Builder r = GroupHeartbeatResponse.newBuilder();
      Error e = notCoordinator(request.getGroupId());
      if (e != null) {
        return r.setError(e).build();
      }
      ErrorCode injected = heartbeatErrors.poll();
      if (injected != null) {
        return r.setError(error(injected, "injected " + injected)).build();
      }
      FakeGroup g = group(request.getGroupId());
      FakeMember m;
      if (request.getMemberEpoch() == 0) {
        String id =
            request.getMemberId().isEmpty()
                ? "m-" + memberIds.incrementAndGet()
                : request.getMemberId();
        m = new FakeMember(id, request.getInstanceId());
        g.members.put(m.id, m);
      } else {
        m = g.members.get(request.getMemberId());
        if (m == null) {
          return r.setError(error(ErrorCode.UNKNOWN_MEMBER_ID, "unknown member")).build();
        }
        if (request.getMemberEpoch() < 0) {
          g.members.remove(m.id);
          return r.setMemberId(m.id).setMemberEpoch(request.getMemberEpoch()).build();
        }
      }
      m.owned = GroupWire.fromWire(request.getOwnedList());
      return r.setMemberId(m.id)
          .setMemberEpoch(m.epoch)
          .setHeartbeatIntervalMs(heartbeatIntervalMs)
          .addAllAssignment(GroupWire.toWire(target))
          .build();
    }

    @Override
    public void commitOffsets(
        CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> out) {
      groupCalls.add(new GroupCall(id, request));
      out.onNext(CommitOffsetsResponse.newBuilder().setError(commit(request)).build());
      out.onCompleted();
    }

    private Error commit(CommitOffsetsRequest request) {
      Error e = notCoordinator(request.getGroupId());
      if (e != null) {
        return e;
      }
      ErrorCode injected = commitErrors.poll();
      if (injected != null) {
        return error(injected, "injected " + injected);
      }
      FakeGroup g = group(request.getGroupId());
      if (request.getMemberId().isEmpty()) {
        if (!g.members.isEmpty()) {
          return error(ErrorCode.GROUP_NOT_EMPTY, "group has members");
        }
      } else if (!g.members.containsKey(request.getMemberId())) {
        return error(ErrorCode.UNKNOWN_MEMBER_ID, "unknown member");
      } else {
        // A partition being revoked is still held until a heartbeat no longer lists it.
        Set<TopicPartition> held = g.members.get(request.getMemberId()).owned;
        for (OffsetCommit c : request.getOffsetsList()) {
          TopicPartition tp = new TopicPartition(c.getTopic(), c.getPartition());
          if (!target.contains(tp) && !held.contains(tp)) {
            return error(ErrorCode.FENCED_MEMBER, "not the owner of " + c.getTopic());
          }
        }
      }
      for (OffsetCommit c : request.getOffsetsList()) {
        g.committed.put(new TopicPartition(c.getTopic(), c.getPartition()), c.getOffset());
      }
      return Error.getDefaultInstance();
    }

    @Override
    public void fetchOffsets(
        FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> out) {
      groupCalls.add(new GroupCall(id, request));
      FetchOffsetsResponse.Builder r = FetchOffsetsResponse.newBuilder();
      Error e = notCoordinator(request.getGroupId());
      if (e != null) {
        r.setError(e);
      } else {
        Set<TopicPartition> wanted = GroupWire.fromWire(request.getPartitionsList());
        group(request.getGroupId())
            .committed
            .forEach(
                (tp, offset) -> {
                  if (wanted.isEmpty() || wanted.contains(tp)) {
                    r.addOffsets(
                        CommittedOffset.newBuilder()
                            .setTopic(tp.topic())
                            .setPartition(tp.partition())
                            .setOffset(offset));
                  }
                });
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> out) {
      ListGroupsResponse.Builder r = ListGroupsResponse.newBuilder();
      groups.forEach(
          (name, g) -> {
            if (coordinatorOf(name) == id) {
              r.addGroups(
                  GroupSummary.newBuilder()
                      .setGroupId(name)
                      .setState(g.members.isEmpty() ? "EMPTY" : "STABLE")
                      .setMembers(g.members.size()));
            }
          });
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void describeGroup(
        DescribeGroupRequest request, StreamObserver<DescribeGroupResponse> out) {
      DescribeGroupResponse.Builder r = DescribeGroupResponse.newBuilder();
      Error e = notCoordinator(request.getGroupId());
      FakeGroup g = groups.get(request.getGroupId());
      if (e != null) {
        r.setError(e);
      } else if (g == null) {
        r.setError(error(ErrorCode.GROUP_NOT_FOUND, "no group " + request.getGroupId()));
      } else {
        GroupDescription.Builder d =
            GroupDescription.newBuilder()
                .setGroupId(request.getGroupId())
                .setState(g.members.isEmpty() ? "EMPTY" : "STABLE")
                .setGroupEpoch(3)
                .setAssignor("sticky");
        for (FakeMember m : g.members.values()) {
          d.addMembers(
              MemberDescription.newBuilder()
                  .setMemberId(m.id)
                  .setInstanceId(m.instanceId)
                  .setClientId("c")
                  .setMemberEpoch(m.epoch)
                  .addAllAssignment(GroupWire.toWire(m.owned))
                  .addAllTarget(GroupWire.toWire(target)));
        }
        g.committed.forEach(
            (tp, offset) ->
                d.addOffsets(
                    CommittedOffset.newBuilder()
                        .setTopic(tp.topic())
                        .setPartition(tp.partition())
                        .setOffset(offset)));
        r.setGroup(d);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> out) {
      NodeStatusResponse.Builder r =
          NodeStatusResponse.newBuilder()
              .setNodeId(id)
              .setClusterId("fake")
              .setMetadataRole(
                  id == 1 ? ReplicaRole.REPLICA_ROLE_LEADER : ReplicaRole.REPLICA_ROLE_FOLLOWER);
      leaders.forEach(
          (tp, leader) -> {
            if (leader == id) {
              r.addReplicas(
                  ReplicaStatus.newBuilder()
                      .setTopic(tp.topic())
                      .setPartition(tp.partition())
                      .setRole(ReplicaRole.REPLICA_ROLE_LEADER)
                      .setLeader(id));
            }
          });
      out.onNext(r.build());
      out.onCompleted();
    }
  }
}
