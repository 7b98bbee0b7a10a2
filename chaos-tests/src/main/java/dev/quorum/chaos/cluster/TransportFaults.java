package dev.quorum.chaos.cluster;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The in-process tier's fault hook in front of one node's broker API: drop a request before the
 * node sees it, drop the reply after the node applied the request (the "commit gap": the client
 * sees a failure for a write that happened), delay the reply, or hand the node the same request
 * twice (a network-level duplicate). Off until a fault is set; every decision comes from a seeded
 * random source.
 */
final class TransportFaults implements ServerInterceptor {
  private final Map<ChaosCluster.Fault, Rule> rules = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final SplittableRandom random;

  private record Rule(double probability, long delayMillis) {}

  TransportFaults(ScheduledExecutorService scheduler, long seed) {
    this.scheduler = scheduler;
    this.random = new SplittableRandom(seed);
  }

  void set(ChaosCluster.Fault fault, double probability, long delayMillis) {
    rules.put(fault, new Rule(probability, delayMillis));
  }

  void clear(ChaosCluster.Fault fault) {
    rules.remove(fault);
  }

  void clearAll() {
    rules.clear();
  }

  private boolean hits(ChaosCluster.Fault fault) {
    Rule rule = rules.get(fault);
    if (rule == null) {
      return false;
    }
    synchronized (random) {
      return random.nextDouble() < rule.probability();
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (rules.isEmpty() || call.getMethodDescriptor().getBareMethodName().equals("NodeStatus")) {
      return next.startCall(call, headers); // the harness's own probes are never faulted
    }
    if (hits(ChaosCluster.Fault.DROP_REQUEST)) {
      call.close(Status.UNAVAILABLE.withDescription("chaos: request dropped"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    ServerCall<Q, R> faulty = call;
    if (hits(ChaosCluster.Fault.DROP_REPLY)) {
      faulty = new DropReply<>(faulty);
    }
    Rule delay = rules.get(ChaosCluster.Fault.DELAY);
    if (delay != null && hits(ChaosCluster.Fault.DELAY)) {
      faulty = new DelayReply<>(faulty, scheduler, delay.delayMillis());
    }
    ServerCall.Listener<Q> listener = next.startCall(faulty, headers);
    if (hits(ChaosCluster.Fault.DUPLICATE)) {
      return new Duplicate<>(listener, call.getMethodDescriptor(), headers, next);
    }
    return listener;
  }

  /** Lets the node do the work, then loses the answer. */
  private static final class DropReply<Q, R> extends SimpleForwardingServerCall<Q, R> {
    DropReply(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void sendMessage(R message) {
      // lost on the way back
    }

    @Override
    public void close(Status status, Metadata trailers) {
      super.close(Status.UNAVAILABLE.withDescription("chaos: reply dropped"), new Metadata());
    }
  }

  /** Holds the answer back; headers, message and close keep their order on one scheduler. */
  private static final class DelayReply<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final ScheduledExecutorService scheduler;
    private final long delayMillis;

    DelayReply(ServerCall<Q, R> delegate, ScheduledExecutorService scheduler, long delayMillis) {
      super(delegate);
      this.scheduler = scheduler;
      this.delayMillis = delayMillis;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      scheduler.schedule(() -> delegate().sendHeaders(headers), delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void sendMessage(R message) {
      scheduler.schedule(() -> delegate().sendMessage(message), delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      scheduler.schedule(
          () -> delegate().close(status, trailers), delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** After the real call, replays its request into a second call whose answer goes nowhere. */
  private static final class Duplicate<Q, R> extends SimpleForwardingServerCallListener<Q> {
    private final MethodDescriptor<Q, R> method;
    private final Metadata headers;
    private final ServerCallHandler<Q, R> next;
    private Q request;

    Duplicate(
        ServerCall.Listener<Q> delegate,
        MethodDescriptor<Q, R> method,
        Metadata headers,
        ServerCallHandler<Q, R> next) {
      super(delegate);
      this.method = method;
      this.headers = headers;
      this.next = next;
    }

    @Override
    public void onMessage(Q message) {
      request = message;
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      super.onHalfClose();
      if (request != null && method.getType() == MethodDescriptor.MethodType.UNARY) {
        ServerCall.Listener<Q> copy = next.startCall(new Discarding<>(method), headers);
        copy.onReady();
        copy.onMessage(request);
        copy.onHalfClose();
      }
    }
  }

  /** A server call whose answer nobody receives. */
  private static final class Discarding<Q, R> extends ServerCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private volatile boolean closed;

    Discarding(MethodDescriptor<Q, R> method) {
      this.method = method;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(R message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      closed = true;
    }

    @Override
    public boolean isCancelled() {
      return closed;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
