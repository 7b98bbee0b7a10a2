package dev.quorum.client.internal;

import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchRequest;
import dev.quorum.protocol.v1.FetchResponse;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.MetadataRequest;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.OffsetSpec;
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
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process stand-in for a Quorum cluster: each node is a gRPC in-process server named
 * {@code <prefix>-nodeN:N}. Partition logs are shared; who leads is decided per partition, and what
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
  private final int nodeCount;

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

  long endOffset(TopicPartition tp) {
    long end = 0;
    for (RecordBatch b : logs.get(tp)) {
      end = b.getBaseOffset() + b.getRecordsCount();
    }
    return end;
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
          result.setBaseOffset(appendRecords(tp, pp.getRecordsList())).setAppendTimeMs(1000);
        }
        r.addPartitions(result);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
      fetchRequests.get(id).add(request);
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
          result.setOffset(q.getSpec() == OffsetSpec.OFFSET_SPEC_EARLIEST ? 0 : endOffset(tp));
        }
        r.addPartitions(result);
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
