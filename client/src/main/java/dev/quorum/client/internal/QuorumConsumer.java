package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.OffsetOutOfRangeException;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchRequest;
import dev.quorum.protocol.v1.FetchResponse;
import dev.quorum.protocol.v1.OffsetSpec;
import dev.quorum.protocol.v1.PartitionFetch;
import dev.quorum.protocol.v1.PartitionFetchResult;
import dev.quorum.protocol.v1.PartitionOffsetResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The {@link Consumer}: single-threaded; {@link #poll} fetches from partition leaders. */
public final class QuorumConsumer implements Consumer {
  private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ConsumerConfig config;
  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final OffsetLookup offsets;
  private final Map<TopicPartition, PartitionState> assigned = new LinkedHashMap<>();
  private boolean closed;

  /** Position and already-fetched records of one assigned partition. */
  private static final class PartitionState {
    Long position;
    OffsetResetPolicy pendingReset;
    final ArrayDeque<ConsumerRecord> buffered = new ArrayDeque<>();

    void reset(OffsetResetPolicy policy) {
      position = null;
      pendingReset = policy;
      buffered.clear();
    }
  }

  public static QuorumConsumer create(ConsumerConfig config) {
    return new QuorumConsumer(config, NodeConnections.plaintext());
  }

  QuorumConsumer(ConsumerConfig config, NodeConnections connections) {
    this.config = config;
    this.connections = connections;
    Duration callTimeout = QuorumProducer.min(config.requestTimeout(), Duration.ofSeconds(10));
    this.metadata =
        new MetadataCache(
            connections, Addresses.parse("bootstrap", config.bootstrap()), callTimeout);
    this.offsets = new OffsetLookup(connections, metadata, callTimeout);
  }

  @Override
  public void assign(Collection<TopicPartition> partitions) {
    ensureOpen();
    Map<TopicPartition, PartitionState> next = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      Objects.requireNonNull(tp, "partition");
      next.put(tp, assigned.getOrDefault(tp, new PartitionState()));
    }
    assigned.clear();
    assigned.putAll(next);
  }

  @Override
  public Set<TopicPartition> assignment() {
    return Set.copyOf(assigned.keySet());
  }

  @Override
  public void seek(TopicPartition partition, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    PartitionState s = state(partition);
    s.reset(null);
    s.position = offset;
  }

  @Override
  public void seekToBeginning(Collection<TopicPartition> partitions) {
    seekTo(partitions, OffsetResetPolicy.EARLIEST);
  }

  @Override
  public void seekToEnd(Collection<TopicPartition> partitions) {
    seekTo(partitions, OffsetResetPolicy.LATEST);
  }

  private void seekTo(Collection<TopicPartition> partitions, OffsetResetPolicy policy) {
    // Empty means every assigned partition, as in Kafka.
    Collection<TopicPartition> targets = partitions.isEmpty() ? assigned.keySet() : partitions;
    for (TopicPartition tp : targets) {
      state(tp).reset(policy);
    }
  }

  @Override
  public long position(TopicPartition partition) {
    PartitionState s = state(partition);
    if (s.position == null) {
      resolvePositions(List.of(partition), deadline(config.requestTimeout()), true);
    }
    return s.position;
  }

  private PartitionState state(TopicPartition tp) {
    ensureOpen();
    PartitionState s = assigned.get(tp);
    if (s == null) {
      throw new IllegalStateException("partition " + tp + " is not assigned");
    }
    return s;
  }

  @Override
  public List<ConsumerRecord> poll(Duration timeout) {
    ensureOpen();
    if (assigned.isEmpty()) {
      throw new IllegalStateException("no partitions assigned");
    }
    long deadline = deadline(timeout);
    while (true) {
      List<ConsumerRecord> records = drainBuffered();
      if (!records.isEmpty()) {
        return records;
      }
      List<TopicPartition> unresolved = new ArrayList<>();
      assigned.forEach((tp, s) -> {
        if (s.position == null) {
          unresolved.add(tp);
        }
      });
      if (!unresolved.isEmpty()) {
        resolvePositions(unresolved, deadline, false);
      }
      boolean progress = fetchOnce(deadline);
      records = drainBuffered();
      long now = System.nanoTime();
      if (!records.isEmpty() || now >= deadline) {
        return records;
      }
      if (!progress) {
        MetadataCache.sleepNanos(Math.min(RETRY_PAUSE_NANOS, deadline - now));
      }
    }
  }

  /**
   * Looks up positions by reset policy. Inside poll, retriable failures leave the partition
   * unresolved for the next round instead of throwing.
   */
  private void resolvePositions(Collection<TopicPartition> tps, long deadline, boolean mustResolve) {
    Map<TopicPartition, OffsetLookup.Query> queries = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      PartitionState s = assigned.get(tp);
      OffsetResetPolicy policy =
          s.pendingReset != null ? s.pendingReset : config.autoOffsetReset();
      switch (policy) {
        case EARLIEST -> queries.put(tp, OffsetLookup.Query.EARLIEST);
        case LATEST -> queries.put(tp, OffsetLookup.Query.LATEST);
        case NONE -> throw new OffsetOutOfRangeException(
            "partition " + tp + " has no position and autoOffsetReset is NONE; seek first");
      }
    }
    Map<TopicPartition, PartitionOffsetResult> found;
    try {
      found = offsets.lookup(queries, deadline);
    } catch (BrokerException e) {
      if (mustResolve || !ErrorCodes.isRetriable(e)) {
        throw e;
      }
      return;
    }
    found.forEach(
        (tp, r) -> {
          PartitionState s = assigned.get(tp);
          s.position = r.getOffset();
          s.pendingReset = null;
        });
  }

  /** One round of fetches, one request per leader. Returns false when nothing could be asked. */
  private boolean fetchOnce(long deadline) {
    Map<String, List<TopicPartition>> byLeader = new LinkedHashMap<>();
    Set<String> refresh = new HashSet<>();
    assigned.forEach(
        (tp, s) -> {
          if (s.position == null || !s.buffered.isEmpty()) {
            return;
          }
          String address = metadata.leaderAddress(tp);
          if (address == null) {
            refresh.add(tp.topic());
          } else {
            byLeader.computeIfAbsent(address, a -> new ArrayList<>()).add(tp);
          }
        });
    if (!refresh.isEmpty()) {
      refreshQuietly(refresh);
      checkTopicsExist(refresh);
    }
    if (byLeader.isEmpty()) {
      return false;
    }
    long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    int maxWaitMs = (int) Math.min(config.fetchMaxWait().toMillis(), remainingMs);
    Map<String, CompletableFuture<FetchResponse>> calls = new LinkedHashMap<>();
    byLeader.forEach((address, tps) -> calls.put(address, fetch(address, tps, maxWaitMs)));
    boolean progress = false;
    for (Map.Entry<String, CompletableFuture<FetchResponse>> c : calls.entrySet()) {
      FetchResponse response;
      try {
        response = c.getValue().join();
      } catch (RuntimeException e) {
        // The node may be down: forget its leaderships so the next round asks the cluster.
        byLeader.get(c.getKey()).forEach(metadata::forgetLeader);
        continue;
      }
      for (PartitionFetchResult r : response.getPartitionsList()) {
        progress |= handle(r);
      }
    }
    return progress;
  }

  private CompletableFuture<FetchResponse> fetch(
      String address, List<TopicPartition> tps, int maxWaitMs) {
    FetchRequest.Builder request =
        FetchRequest.newBuilder()
            .setMaxWaitMs(maxWaitMs)
            .setMinBytes(1)
            .setMaxBytes(config.fetchMaxBytes());
    for (TopicPartition tp : tps) {
      request.addPartitions(
          PartitionFetch.newBuilder()
              .setTopic(tp.topic())
              .setPartition(tp.partition())
              .setOffset(assigned.get(tp).position)
              .setMaxBytes(config.maxPartitionFetchBytes()));
    }
    try {
      return Rpc.toCompletable(
          connections
              .stub(address)
              .withDeadlineAfter(
                  maxWaitMs + config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .fetch(request.build()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Applies one partition's fetch result; true when it answered without a retriable error. */
  private boolean handle(PartitionFetchResult r) {
    TopicPartition tp = new TopicPartition(r.getTopic(), r.getPartition());
    PartitionState s = assigned.get(tp);
    if (s == null || s.position == null) {
      return false;
    }
    ErrorCode code = r.hasError() ? r.getError().getCode() : ErrorCode.NONE;
    if (code == ErrorCode.NONE) {
      s.buffered.addAll(
          WireRecords.fromBatches(
              tp.topic(), tp.partition(), r.getRecordBatchesList(), s.position));
      return true;
    }
    if (code == ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (config.autoOffsetReset() == OffsetResetPolicy.NONE) {
        throw ErrorCodes.toException(r.getError());
      }
      s.reset(config.autoOffsetReset());
      return true;
    }
    if (ErrorCodes.isRetriable(code)) {
      if (code != ErrorCode.NOT_LEADER
          || !metadata.leaderMoved(tp, r.getError().getLeaderHint())) {
        metadata.forgetLeader(tp);
      }
      return code == ErrorCode.NOT_LEADER;
    }
    throw ErrorCodes.toException(r.getError());
  }

  private List<ConsumerRecord> drainBuffered() {
    List<ConsumerRecord> out = new ArrayList<>();
    for (PartitionState s : assigned.values()) {
      while (out.size() < config.maxPollRecords() && !s.buffered.isEmpty()) {
        ConsumerRecord r = s.buffered.pollFirst();
        out.add(r);
        s.position = r.offset() + 1;
      }
    }
    return out;
  }

  private void refreshQuietly(Collection<String> topics) {
    try {
      metadata.refresh(topics).join();
    } catch (RuntimeException e) {
      // Retried on the next round until the poll deadline.
    }
  }

  private void checkTopicsExist(Collection<String> topics) {
    for (String topic : topics) {
      if (metadata.knownMissing(topic)) {
        throw new UnknownTopicException("topic " + topic + " does not exist");
      }
    }
  }

  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    return simpleLookup(partitions, OffsetLookup.Query.LATEST);
  }

  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
    return simpleLookup(partitions, OffsetLookup.Query.EARLIEST);
  }

  private Map<TopicPartition, Long> simpleLookup(
      Collection<TopicPartition> partitions, OffsetLookup.Query query) {
    ensureOpen();
    Map<TopicPartition, PartitionOffsetResult> found =
        offsets.lookup(
            OffsetLookup.all(new ArrayList<>(new LinkedHashSet<>(partitions)), query),
            deadline(config.requestTimeout()));
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    found.forEach((tp, r) -> out.put(tp, r.getOffset()));
    return out;
  }

  @Override
  public Map<TopicPartition, Long> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
    ensureOpen();
    Map<TopicPartition, OffsetLookup.Query> queries = new LinkedHashMap<>();
    timestamps.forEach(
        (tp, ts) -> queries.put(tp, new OffsetLookup.Query(OffsetSpec.OFFSET_SPEC_TIMESTAMP, ts)));
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    offsets
        .lookup(queries, deadline(config.requestTimeout()))
        .forEach(
            (tp, r) -> {
              if (r.getOffset() >= 0) {
                out.put(tp, r.getOffset());
              }
            });
    return out;
  }

  @Override
  public int partitionCount(String topic) {
    ensureOpen();
    metadata.refreshBlocking(List.of(topic), deadline(config.requestTimeout()));
    int count = metadata.partitionCount(topic);
    if (count < 0) {
      throw new UnknownTopicException("topic " + topic + " does not exist");
    }
    return count;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      connections.close(Duration.ofSeconds(1));
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("consumer is closed");
    }
  }

  static long deadline(Duration timeout) {
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 4;
    }
    return System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
  }
}
