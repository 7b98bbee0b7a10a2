package dev.quorum.client.internal;

import com.google.common.util.concurrent.ListenableFuture;
import dev.quorum.client.BrokerException;
import dev.quorum.client.LeaderNotAvailableException;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Single requests to one partition's leader, following leader changes until a deadline. */
final class LeaderCalls {
  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final Duration callTimeout;
  private final Duration firstBackoff;

  LeaderCalls(NodeConnections connections, MetadataCache metadata, Duration callTimeout) {
    this(connections, metadata, callTimeout, Duration.ofMillis(20));
  }

  /** Retries start {@code firstBackoff} apart and double up to one second. */
  LeaderCalls(
      NodeConnections connections,
      MetadataCache metadata,
      Duration callTimeout,
      Duration firstBackoff) {
    this.connections = connections;
    this.metadata = metadata;
    this.callTimeout = callTimeout;
    this.firstBackoff = firstBackoff;
  }

  /**
   * Sends {@code rpc} to the leader of {@code tp}; returns the first answer without an error.
   * Non-retriable errors are thrown at once, the last retriable one at the deadline. For a {@code
   * write}, an error after an attempt that may have been applied is indeterminate.
   */
  <T> T call(
      TopicPartition tp,
      Function<BrokerGrpc.BrokerFutureStub, ListenableFuture<T>> rpc,
      Function<T, Error> errorOf,
      long deadlineNanos,
      boolean write) {
    Backoff backoff = new Backoff(firstBackoff, Duration.ofSeconds(1));
    BrokerException last = null;
    boolean mayHaveApplied = false;
    while (true) {
      String address = metadata.leaderAddress(tp);
      if (address == null) {
        // Asked at once if the refresh names a leader, not after a backoff.
        last = refresh(tp);
        address = metadata.leaderAddress(tp);
      }
      if (address != null) {
        T response = null;
        try {
          long remaining = Math.max(1, deadlineNanos - System.nanoTime());
          response =
              Rpc.toCompletable(
                      rpc.apply(
                          connections
                              .stub(address)
                              .withDeadlineAfter(
                                  Math.min(remaining, callTimeout.toNanos()),
                                  TimeUnit.NANOSECONDS)))
                  .join();
        } catch (RuntimeException e) {
          metadata.forgetLeader(tp);
          last = ErrorCodes.fromTransport(e, address, write);
          mayHaveApplied |= write;
        }
        if (response != null) {
          Error error = errorOf.apply(response);
          if (error == null || error.getCode() == ErrorCode.NONE) {
            return response;
          }
          mayHaveApplied |= write && error.getIndeterminate();
          last =
              ErrorCodes.toException(
                  mayHaveApplied ? error.toBuilder().setIndeterminate(true).build() : error);
          if (!ErrorCodes.isRetriable(last)) {
            throw last;
          }
          if (error.getCode() != ErrorCode.NOT_LEADER
              || !metadata.leaderMoved(tp, error.getLeaderHint())) {
            metadata.forgetLeader(tp);
          }
        }
      }
      long wait = backoff.nextNanos();
      if (System.nanoTime() + wait >= deadlineNanos) {
        throw last != null
            ? last
            : new RequestTimeoutException("no answer from the leader of " + tp);
      }
      MetadataCache.sleepNanos(wait);
    }
  }

  private BrokerException refresh(TopicPartition tp) {
    try {
      metadata.refresh(List.of(tp.topic())).join();
    } catch (RuntimeException e) {
      return ErrorCodes.fromTransport(e, "cluster", false);
    }
    if (metadata.knownMissing(tp.topic())) {
      throw new UnknownTopicException("topic " + tp.topic() + " does not exist");
    }
    return new LeaderNotAvailableException("no leader known for " + tp);
  }
}
