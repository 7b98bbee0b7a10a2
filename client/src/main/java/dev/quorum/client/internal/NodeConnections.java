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

  /**
   * The largest response accepted, as large as the node accepts requests: a fetch answer holds up
   * to fetchMaxBytes (50 MiB by default), far over gRPC's default of 4 MiB, which failed every
   * fetch of more than four full partitions from one leader.
   */
  static final int MAX_INBOUND_BYTES = 64 << 20;

  /** Plaintext channels to real {@code host:port} addresses. */
  static NodeConnections plaintext() {
    return new NodeConnections(
        address ->
            ManagedChannelBuilder.forTarget(address)
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .build());
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
