package dev.quorum.node;

import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.RaftLogEndsRequest;
import dev.quorum.protocol.v1.RaftLogEndsResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** gRPC channels from this node to the other nodes' broker API. */
final class PeerChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** The ids of the nodes that answer a status request within {@code timeoutMs}. */
  CompletableFuture<List<Integer>> liveNodes(
      Collection<NodeInfo> nodes, int selfId, long timeoutMs) {
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (NodeInfo node : nodes) {
      if (node.getId() == selfId) {
        answers.add(CompletableFuture.completedFuture(selfId));
        continue;
      }
      CompletableFuture<NodeStatusResponse> status = new CompletableFuture<>();
      BrokerGrpc.newStub(channel(node))
          .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
          .nodeStatus(
              NodeStatusRequest.getDefaultInstance(),
              answerOrElse(status, NodeStatusResponse.getDefaultInstance()));
      answers.add(status.thenApply(s -> s.getNodeId() == node.getId() ? node.getId() : 0));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> answers.stream().map(CompletableFuture::join).filter(id -> id > 0).toList());
  }

  /**
   * Where the peer's Raft logs end ({@link LeaderTakeover#logEnds}); an empty answer if it does not
   * answer within {@code timeoutMs}.
   */
  CompletableFuture<RaftLogEndsResponse> raftLogEnds(Peer peer, long timeoutMs) {
    CompletableFuture<RaftLogEndsResponse> answer = new CompletableFuture<>();
    BrokerGrpc.newStub(channel(peer.host(), peer.clientPort()))
        .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
        .raftLogEnds(
            RaftLogEndsRequest.getDefaultInstance(),
            answerOrElse(answer, RaftLogEndsResponse.getDefaultInstance()));
    return answer;
  }

  /** Completes {@code answer} with the call's answer, or with {@code otherwise} if it fails. */
  private static <T> StreamObserver<T> answerOrElse(CompletableFuture<T> answer, T otherwise) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.complete(otherwise);
      }

      @Override
      public void onCompleted() {
        answer.complete(otherwise);
      }
    };
  }

  /** A stub for calls to another node's broker service. */
  BrokerGrpc.BrokerStub stub(NodeInfo node) {
    return BrokerGrpc.newStub(channel(node));
  }

  private ManagedChannel channel(NodeInfo node) {
    return channel(node.getHost(), node.getClientPort());
  }

  private ManagedChannel channel(String host, int port) {
    return channels.computeIfAbsent(
        host + ":" + port, t -> NettyChannelBuilder.forTarget(t).usePlaintext().build());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
