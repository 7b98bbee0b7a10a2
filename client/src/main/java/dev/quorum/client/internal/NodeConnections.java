package dev.quorum.client.internal;

import dev.quorum.protocol.v1.BrokerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** One gRPC channel per node address, created on first use and closed together. Thread-safe. */
final class NodeConnections implements AutoCloseable {
  private final Function<String, ManagedChannel> channelFactory;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  NodeConnections(Function<String, ManagedChannel> channelFactory) {
    this.channelFactory = channelFactory;
  }

  /** Plaintext channels to real {@code host:port} addresses. */
  static NodeConnections plaintext() {
    return new NodeConnections(
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build());
  }

  /** A future stub for {@code address}; callers add their own deadline per call. */
  BrokerGrpc.BrokerFutureStub stub(String address) {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    return BrokerGrpc.newFutureStub(channels.computeIfAbsent(address, channelFactory));
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  void close(Duration grace) {
    closed = true;
    List<ManagedChannel> all = new ArrayList<>(channels.values());
    channels.clear();
    all.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ManagedChannel c : all) {
      try {
        if (!c.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          c.shutdownNow();
        }
      } catch (InterruptedException e) {
        c.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
