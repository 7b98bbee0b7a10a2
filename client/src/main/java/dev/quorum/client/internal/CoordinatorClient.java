package dev.quorum.client.internal;

import com.google.common.util.concurrent.ListenableFuture;
import dev.quorum.client.BrokerException;
import dev.quorum.client.CoordinatorNotAvailableException;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FindCoordinatorRequest;
import dev.quorum.protocol.v1.FindCoordinatorResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends group requests to the group's coordinator: finds it with FindCoordinator (asking any known
 * node), follows NOT_COORDINATOR hints, and retries retriable failures with backoff until a
 * deadline. Blocking and thread-safe; remembers each group's coordinator address.
 */
final class CoordinatorClient {
  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final List<String> bootstrap;
  private final Duration callTimeout;
  private final Map<String, String> coordinators = new ConcurrentHashMap<>();
  private final boolean transactional;

  /** Finds and calls the coordinators of consumer groups. */
  CoordinatorClient(
      NodeConnections connections,
      MetadataCache metadata,
      List<String> bootstrap,
      Duration callTimeout) {
    this(connections, metadata, bootstrap, callTimeout, false);
  }

  /**
   * Finds and calls the coordinators of transactional ids when {@code transactional}, else of
   * consumer groups.
   */
  CoordinatorClient(
      NodeConnections connections,
      MetadataCache metadata,
      List<String> bootstrap,
      Duration callTimeout,
      boolean transactional) {
    this.transactional = transactional;
    this.connections = connections;
    this.metadata = metadata;
    this.bootstrap = List.copyOf(bootstrap);
    this.callTimeout = callTimeout;
  }

  /**
   * Sends {@code rpc} to the coordinator of {@code groupId}; returns the first answer without an
   * error. Non-retriable errors are thrown at once, the last retriable one at the deadline.
   */
  <T> T call(
      String groupId,
      Function<BrokerGrpc.BrokerFutureStub, ListenableFuture<T>> rpc,
      Function<T, Error> errorOf,
      long deadlineNanos) {
    Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    BrokerException last = null;
    while (true) {
      boolean retryAtOnce = false;
      try {
        String address = coordinator(groupId, deadlineNanos);
        T response;
        try {
          response = Rpc.toCompletable(rpc.apply(stub(address, deadlineNanos))).join();
        } catch (RuntimeException e) {
          coordinators.remove(groupId, address);
          throw ErrorCodes.fromTransport(e, address, false);
        }
        Error error = errorOf.apply(response);
        if (error == null || error.getCode() == ErrorCode.NONE) {
          return response;
        }
        BrokerException be = ErrorCodes.toException(error);
        if (!ErrorCodes.isRetriable(be)) {
          throw be;
        }
        last = be;
        retryAtOnce = followHint(groupId, address, error);
      } catch (BrokerException e) {
        if (!ErrorCodes.isRetriable(e)) {
          throw e;
        }
        last = e;
      }
      long wait = retryAtOnce ? 0 : backoff.nextNanos();
      if (System.nanoTime() + wait >= deadlineNanos) {
        throw last;
      }
      if (wait > 0) {
        MetadataCache.sleepNanos(wait);
      }
    }
  }

  /**
   * Records where a NOT_COORDINATOR answer points; true when the hinted node is known and differs
   * from the one just asked, so the retry can go there at once.
   */
  private boolean followHint(String groupId, String asked, Error error) {
    coordinators.remove(groupId, asked);
    if (error.getCode() != ErrorCode.NOT_COORDINATOR || error.getLeaderHint() <= 0) {
      return false;
    }
    String hinted = addressOf(error.getLeaderHint());
    if (hinted == null || hinted.equals(asked)) {
      return false;
    }
    coordinators.put(groupId, hinted);
    return true;
  }

  /** The coordinator's address, cached or asked of the known nodes in turn. */
  String coordinator(String groupId, long deadlineNanos) {
    String known = coordinators.get(groupId);
    if (known != null) {
      return known;
    }
    FindCoordinatorRequest request =
        transactional
            ? FindCoordinatorRequest.newBuilder().setTransactionalId(groupId).build()
            : FindCoordinatorRequest.newBuilder().setGroupId(groupId).build();
    BrokerException last = null;
    for (String address : candidates()) {
      if (System.nanoTime() >= deadlineNanos) {
        break;
      }
      FindCoordinatorResponse response;
      try {
        response = Rpc.toCompletable(stub(address, deadlineNanos).findCoordinator(request)).join();
      } catch (RuntimeException e) {
        last = ErrorCodes.fromTransport(e, address, false);
        continue;
      }
      if (response.hasError() && ErrorCodes.isError(response.getError())) {
        // COORDINATOR_NOT_AVAILABLE is the cluster's answer, not this node's: no use asking others;
        // the caller backs off and asks again.
        throw ErrorCodes.toException(response.getError());
      }
      String found = addressOf(response.getNodeId());
      if (found == null) {
        last = new BrokerException("coordinator node " + response.getNodeId() + " is not known");
        continue;
      }
      coordinators.put(groupId, found);
      return found;
    }
    if (last != null && ErrorCodes.isRetriable(last)) {
      throw last;
    }
    throw new CoordinatorNotAvailableException(
        "no node told the coordinator of "
            + (transactional ? "transactional id " : "group ")
            + groupId
            + (last == null ? "" : ": " + last.getMessage()));
  }

  void forget(String groupId) {
    coordinators.remove(groupId);
  }

  private String addressOf(int nodeId) {
    if (nodeId <= 0) {
      return null;
    }
    String address = metadata.addressOf(nodeId);
    if (address == null) {
      try {
        metadata.refresh(List.of()).join();
      } catch (RuntimeException e) {
        return null;
      }
      address = metadata.addressOf(nodeId);
    }
    return address;
  }

  private List<String> candidates() {
    Set<String> c = new LinkedHashSet<>();
    metadata.nodes().forEach(n -> c.add(MetadataCache.address(n)));
    c.addAll(bootstrap);
    return new ArrayList<>(c);
  }

  private BrokerGrpc.BrokerFutureStub stub(String address, long deadlineNanos) {
    long remaining = Math.max(1, deadlineNanos - System.nanoTime());
    return connections
        .stub(address)
        .withDeadlineAfter(Math.min(remaining, callTimeout.toNanos()), TimeUnit.NANOSECONDS);
  }
}
