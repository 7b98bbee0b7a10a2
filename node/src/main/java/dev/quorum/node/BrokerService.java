package dev.quorum.node;

import dev.quorum.protocol.raft.ProduceRequestView;
import dev.quorum.protocol.v1.AddToTransactionRequest;
import dev.quorum.protocol.v1.AddToTransactionResponse;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import dev.quorum.protocol.v1.CommitOffsetsResponse;
import dev.quorum.protocol.v1.CommitTransactionalOffsetsRequest;
import dev.quorum.protocol.v1.CommitTransactionalOffsetsResponse;
import dev.quorum.protocol.v1.CreateTopicRequest;
import dev.quorum.protocol.v1.CreateTopicResponse;
import dev.quorum.protocol.v1.DeleteTopicRequest;
import dev.quorum.protocol.v1.DeleteTopicResponse;
import dev.quorum.protocol.v1.DescribeGroupRequest;
import dev.quorum.protocol.v1.DescribeGroupResponse;
import dev.quorum.protocol.v1.DescribeProducersRequest;
import dev.quorum.protocol.v1.DescribeProducersResponse;
import dev.quorum.protocol.v1.DescribeTransactionRequest;
import dev.quorum.protocol.v1.DescribeTransactionResponse;
import dev.quorum.protocol.v1.EndTransactionRequest;
import dev.quorum.protocol.v1.EndTransactionResponse;
import dev.quorum.protocol.v1.FetchOffsetsRequest;
import dev.quorum.protocol.v1.FetchOffsetsResponse;
import dev.quorum.protocol.v1.FetchRequest;
import dev.quorum.protocol.v1.FetchResponse;
import dev.quorum.protocol.v1.FetchSourceOffsetsRequest;
import dev.quorum.protocol.v1.FetchSourceOffsetsResponse;
import dev.quorum.protocol.v1.FindCoordinatorRequest;
import dev.quorum.protocol.v1.FindCoordinatorResponse;
import dev.quorum.protocol.v1.GroupHeartbeatRequest;
import dev.quorum.protocol.v1.GroupHeartbeatResponse;
import dev.quorum.protocol.v1.InitProducerIdRequest;
import dev.quorum.protocol.v1.InitProducerIdResponse;
import dev.quorum.protocol.v1.InitTransactionsRequest;
import dev.quorum.protocol.v1.InitTransactionsResponse;
import dev.quorum.protocol.v1.ListGroupsRequest;
import dev.quorum.protocol.v1.ListGroupsResponse;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.ListTransactionsRequest;
import dev.quorum.protocol.v1.ListTransactionsResponse;
import dev.quorum.protocol.v1.MetadataRequest;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.ProduceResponse;
import dev.quorum.protocol.v1.RaftLogEndsRequest;
import dev.quorum.protocol.v1.RaftLogEndsResponse;
import dev.quorum.protocol.v1.WriteTransactionMarkerRequest;
import dev.quorum.protocol.v1.WriteTransactionMarkerResponse;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker RPC API. Broker-level failures travel inside the responses as typed errors; a gRPC
 * error status means the request itself broke (a bug, or the node shutting down).
 */
final class BrokerService implements BrokerGrpc.AsyncService, BindableService {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerService.class);

  private final AdminHandler admin;
  private final ProduceHandler produce;
  private final FetchHandler fetch;
  private final GroupCoordinator groups;
  private final ProducerIds producerIds;
  private final TransactionCoordinator transactions;
  private final TransactionMarkers markers;
  private final LeaderTakeover takeover;

  BrokerService(
      AdminHandler admin,
      ProduceHandler produce,
      FetchHandler fetch,
      GroupCoordinator groups,
      ProducerIds producerIds,
      TransactionCoordinator transactions,
      TransactionMarkers markers,
      LeaderTakeover takeover) {
    this.admin = admin;
    this.produce = produce;
    this.fetch = fetch;
    this.groups = groups;
    this.producerIds = producerIds;
    this.transactions = transactions;
    this.markers = markers;
    this.takeover = takeover;
  }

  @Override
  public void initTransactions(
      InitTransactionsRequest request, StreamObserver<InitTransactionsResponse> out) {
    answer(() -> transactions.initTransactions(request), out);
  }

  @Override
  public void addToTransaction(
      AddToTransactionRequest request, StreamObserver<AddToTransactionResponse> out) {
    answer(() -> transactions.add(request), out);
  }

  @Override
  public void endTransaction(
      EndTransactionRequest request, StreamObserver<EndTransactionResponse> out) {
    answer(() -> transactions.end(request), out);
  }

  @Override
  public void commitTransactionalOffsets(
      CommitTransactionalOffsetsRequest request,
      StreamObserver<CommitTransactionalOffsetsResponse> out) {
    answer(() -> groups.commitTransactionalOffsets(request), out);
  }

  @Override
  public void listTransactions(
      ListTransactionsRequest request, StreamObserver<ListTransactionsResponse> out) {
    answer(() -> CompletableFuture.completedFuture(transactions.list()), out);
  }

  @Override
  public void describeTransaction(
      DescribeTransactionRequest request, StreamObserver<DescribeTransactionResponse> out) {
    answer(() -> CompletableFuture.completedFuture(transactions.describe(request)), out);
  }

  @Override
  public void writeTransactionMarker(
      WriteTransactionMarkerRequest request, StreamObserver<WriteTransactionMarkerResponse> out) {
    answer(() -> markers.writeHere(request), out);
  }

  @Override
  public void fetchSourceOffsets(
      FetchSourceOffsetsRequest request, StreamObserver<FetchSourceOffsetsResponse> out) {
    answer(() -> CompletableFuture.completedFuture(produce.fetchSourceOffsets(request)), out);
  }

  @Override
  public void describeProducers(
      DescribeProducersRequest request, StreamObserver<DescribeProducersResponse> out) {
    answer(() -> CompletableFuture.completedFuture(markers.describeProducers(request)), out);
  }

  @Override
  public void initProducerId(
      InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> out) {
    answer(producerIds::initProducerId, out);
  }

  @Override
  public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> out) {
    answer(() -> admin.metadata(request), out);
  }

  @Override
  public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> out) {
    answer(() -> admin.createTopic(request), out);
  }

  @Override
  public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> out) {
    answer(() -> admin.deleteTopic(request), out);
  }

  /**
   * The service, with Produce reading its request as a {@link ProduceRequestView}: the wire form of
   * a {@code ProduceRequest}, with the records left encoded.
   */
  @Override
  public ServerServiceDefinition bindService() {
    MethodDescriptor<?, ?> generatedProduce = BrokerGrpc.getProduceMethod();
    ServerServiceDefinition.Builder service =
        ServerServiceDefinition.builder(BrokerGrpc.SERVICE_NAME);
    for (ServerMethodDefinition<?, ?> method : BrokerGrpc.bindService(this).getMethods()) {
      if (method.getMethodDescriptor() != generatedProduce) {
        service.addMethod(method);
      }
    }
    MethodDescriptor<ProduceRequestView, ProduceResponse> produceMethod =
        BrokerGrpc.getProduceMethod().toBuilder(
                new ProduceRequestMarshaller(),
                ProtoUtils.marshaller(ProduceResponse.getDefaultInstance()))
            .build();
    return service.addMethod(produceMethod, ServerCalls.asyncUnaryCall(this::produce)).build();
  }

  private void produce(ProduceRequestView request, StreamObserver<ProduceResponse> out) {
    answer(() -> produce.produce(request), out);
  }

  @Override
  public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
    answer(() -> fetch.fetch(request), out);
  }

  @Override
  public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> out) {
    answer(() -> CompletableFuture.completedFuture(fetch.listOffsets(request)), out);
  }

  @Override
  public void raftLogEnds(RaftLogEndsRequest request, StreamObserver<RaftLogEndsResponse> out) {
    answer(() -> CompletableFuture.completedFuture(takeover.logEnds()), out);
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> out) {
    answer(() -> CompletableFuture.completedFuture(admin.nodeStatus()), out);
  }

  @Override
  public void findCoordinator(
      FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> out) {
    answer(
        () ->
            CompletableFuture.completedFuture(
                request.getTransactionalId().isEmpty()
                    ? groups.findCoordinator(request)
                    : transactions.findCoordinator(request.getTransactionalId())),
        out);
  }

  @Override
  public void groupHeartbeat(
      GroupHeartbeatRequest request, StreamObserver<GroupHeartbeatResponse> out) {
    answer(() -> groups.heartbeat(request), out);
  }

  @Override
  public void commitOffsets(
      CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> out) {
    answer(() -> groups.commitOffsets(request), out);
  }

  @Override
  public void fetchOffsets(FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> out) {
    answer(() -> CompletableFuture.completedFuture(groups.fetchOffsets(request)), out);
  }

  @Override
  public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> out) {
    answer(() -> CompletableFuture.completedFuture(groups.listGroups()), out);
  }

  @Override
  public void describeGroup(
      DescribeGroupRequest request, StreamObserver<DescribeGroupResponse> out) {
    answer(() -> CompletableFuture.completedFuture(groups.describeGroup(request)), out);
  }

  private static <T> void answer(Supplier<CompletableFuture<T>> call, StreamObserver<T> out) {
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    future.whenComplete(
        (response, failure) -> {
          if (failure == null) {
            out.onNext(response);
            out.onCompleted();
          } else {
            LOG.warn("request failed unexpectedly", failure);
            out.onError(
                Status.INTERNAL
                    .withDescription(String.valueOf(failure.getMessage()))
                    .withCause(failure)
                    .asRuntimeException());
          }
        });
  }
}
