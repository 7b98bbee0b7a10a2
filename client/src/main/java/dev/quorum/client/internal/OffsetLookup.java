package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.LeaderNotAvailableException;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.OffsetSpec;
import dev.quorum.protocol.v1.PartitionOffsetQuery;
import dev.quorum.protocol.v1.PartitionOffsetResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks partition leaders for offsets (ListOffsets), grouped by leader, following leader changes
 * until a deadline. Blocking; safe to share because it keeps no state of its own.
 */
final class OffsetLookup {
  /** What to look up for one partition. */
  record Query(OffsetSpec spec, long timestampMs) {
    static final Query EARLIEST = new Query(OffsetSpec.OFFSET_SPEC_EARLIEST, 0);
    static final Query LATEST = new Query(OffsetSpec.OFFSET_SPEC_LATEST, 0);
  }

  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final Duration callTimeout;
  private final Duration firstBackoff;
  private final dev.quorum.protocol.v1.IsolationLevel isolation;

  OffsetLookup(NodeConnections connections, MetadataCache metadata, Duration callTimeout) {
    this(
        connections,
        metadata,
        callTimeout,
        Duration.ofMillis(20),
        dev.quorum.protocol.v1.IsolationLevel.READ_UNCOMMITTED);
  }

  /**
   * With READ_COMMITTED, the latest offset is the last stable offset. Retries start {@code
   * firstBackoff} apart and double up to one second.
   */
  OffsetLookup(
      NodeConnections connections,
      MetadataCache metadata,
      Duration callTimeout,
      Duration firstBackoff,
      dev.quorum.protocol.v1.IsolationLevel isolation) {
    this.isolation = isolation;
    this.connections = connections;
    this.metadata = metadata;
    this.callTimeout = callTimeout;
    this.firstBackoff = firstBackoff;
  }

  /**
   * Looks up every query; throws the first non-retriable error, or the last retriable one when the
   * deadline passes.
   */
  Map<TopicPartition, PartitionOffsetResult> lookup(
      Map<TopicPartition, Query> queries, long deadlineNanos) {
    return lookup(queries, deadlineNanos, false);
  }

  /** Like {@link #lookup}, but returns whatever answered by the deadline instead of throwing. */
  Map<TopicPartition, PartitionOffsetResult> lookupAvailable(
      Map<TopicPartition, Query> queries, long deadlineNanos) {
    return lookup(queries, deadlineNanos, true);
  }

  private Map<TopicPartition, PartitionOffsetResult> lookup(
      Map<TopicPartition, Query> queries, long deadlineNanos, boolean partial) {
    Map<TopicPartition, Query> remaining = new LinkedHashMap<>(queries);
    Map<TopicPartition, PartitionOffsetResult> results = new HashMap<>();
    Backoff backoff = new Backoff(firstBackoff, Duration.ofSeconds(1));
    BrokerException last = null;
    while (!remaining.isEmpty()) {
      Set<String> refresh = new HashSet<>();
      for (TopicPartition tp : remaining.keySet()) {
        if (metadata.leaderAddress(tp) == null) {
          refresh.add(tp.topic());
        }
      }
      if (!refresh.isEmpty()) {
        try {
          metadata.refresh(refresh).join();
          for (String topic : refresh) {
            if (metadata.knownMissing(topic) && !partial) {
              throw new UnknownTopicException("topic " + topic + " does not exist");
            }
          }
        } catch (RuntimeException e) {
          if (ErrorCodes.unwrap(e) instanceof UnknownTopicException ute) {
            throw ute;
          }
          last = ErrorCodes.fromTransport(e, "cluster", false);
        }
      }
      // Grouped after the refresh, so leaders it just named are asked now rather than after a
      // backoff (a new consumer knows no leaders, and its first poll waited one for nothing).
      Map<String, Map<TopicPartition, Query>> byLeader = new LinkedHashMap<>();
      Set<String> unled = new HashSet<>();
      for (Map.Entry<TopicPartition, Query> e : remaining.entrySet()) {
        String address = metadata.leaderAddress(e.getKey());
        if (address == null) {
          unled.add(e.getKey().topic());
        } else {
          byLeader
              .computeIfAbsent(address, a -> new LinkedHashMap<>())
              .put(e.getKey(), e.getValue());
        }
      }
      if (!unled.isEmpty() && last == null) {
        last = new LeaderNotAvailableException("no leader known for " + unled);
      }
      Map<String, CompletableFuture<ListOffsetsResponse>> calls = new LinkedHashMap<>();
      byLeader.forEach((address, qs) -> calls.put(address, call(address, qs)));
      for (Map.Entry<String, CompletableFuture<ListOffsetsResponse>> c : calls.entrySet()) {
        Map<TopicPartition, Query> sent = byLeader.get(c.getKey());
        ListOffsetsResponse response;
        try {
          response = c.getValue().join();
        } catch (RuntimeException e) {
          last = ErrorCodes.fromTransport(e, c.getKey(), false);
          sent.keySet().forEach(metadata::forgetLeader);
          continue;
        }
        for (PartitionOffsetResult r : response.getPartitionsList()) {
          TopicPartition tp = new TopicPartition(r.getTopic(), r.getPartition());
          if (!sent.containsKey(tp)) {
            continue;
          }
          if (!r.hasError() || r.getError().getCode() == ErrorCode.NONE) {
            results.put(tp, r);
            remaining.remove(tp);
          } else if (ErrorCodes.isRetriable(r.getError().getCode())) {
            last = ErrorCodes.toException(r.getError());
            if (r.getError().getCode() != ErrorCode.NOT_LEADER
                || !metadata.leaderMoved(tp, r.getError().getLeaderHint())) {
              metadata.forgetLeader(tp);
            }
          } else if (partial) {
            remaining.remove(tp);
          } else {
            throw ErrorCodes.toException(r.getError());
          }
        }
      }
      if (remaining.isEmpty()) {
        break;
      }
      long wait = backoff.nextNanos();
      if (System.nanoTime() + wait >= deadlineNanos) {
        if (partial) {
          break;
        }
        throw last != null
            ? last
            : new RequestTimeoutException(
                "offsets of " + remaining.keySet() + " not found in time");
      }
      MetadataCache.sleepNanos(wait);
    }
    return results;
  }

  private CompletableFuture<ListOffsetsResponse> call(
      String address, Map<TopicPartition, Query> queries) {
    ListOffsetsRequest.Builder request =
        ListOffsetsRequest.newBuilder().setIsolationLevel(isolation);
    queries.forEach(
        (tp, q) ->
            request.addPartitions(
                PartitionOffsetQuery.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setSpec(q.spec())
                    .setTimestampMs(q.timestampMs())));
    try {
      return Rpc.toCompletable(
          connections
              .stub(address)
              .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .listOffsets(request.build()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  static Map<TopicPartition, Query> all(List<TopicPartition> partitions, Query query) {
    Map<TopicPartition, Query> m = new LinkedHashMap<>();
    partitions.forEach(tp -> m.put(tp, query));
    return m;
  }
}
