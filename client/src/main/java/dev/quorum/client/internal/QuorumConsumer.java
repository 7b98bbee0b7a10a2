package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerGroupMetadata;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.IsolationLevel;
import dev.quorum.client.OffsetOutOfRangeException;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.RebalanceListener;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import dev.quorum.protocol.v1.CommitOffsetsResponse;
import dev.quorum.protocol.v1.CommittedOffset;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchOffsetsRequest;
import dev.quorum.protocol.v1.FetchOffsetsResponse;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Consumer}: single-threaded; {@link #poll} fetches from partition leaders and, when
 * subscribed, drives the {@link GroupMembership} and applies its assignment changes.
 */
public final class QuorumConsumer implements Consumer {
  private static final Logger log = LoggerFactory.getLogger(QuorumConsumer.class);
  private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(5);
  private static final RebalanceListener NO_LISTENER =
      new RebalanceListener() {
        @Override
        public void onPartitionsRevoked(Consumer c, Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Consumer c, Collection<TopicPartition> partitions) {}
      };

  private final ConsumerConfig config;
  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final OffsetLookup offsets;
  private final CoordinatorClient coordinator;
  private final Duration callTimeout;
  // Bound for group calls made inside poll, so that a dead coordinator cannot hold poll (and thus
  // the heartbeats) for a whole session.
  private final Duration inPollTimeout;
  // The assigned partitions; when subscribed, the partitions this member owns.
  private final Map<TopicPartition, PartitionState> assigned = new LinkedHashMap<>();
  // Owned partitions whose committed offsets are not yet known: not fetched, no listener call yet.
  private final Set<TopicPartition> awaitingCommitted = new LinkedHashSet<>();
  private GroupMembership group;
  private RebalanceListener listener = NO_LISTENER;
  private ScheduledExecutorService groupExecutor;
  private CompletableFuture<Void> autoCommit = CompletableFuture.completedFuture(null);
  private long nextAutoCommitNanos;
  private RuntimeException listenerFailure;
  private boolean closed;
  // Fetches sent and not yet applied, each partition in at most one: poll hands out buffered
  // records while the next records of the partitions it emptied are on their way. A node may have
  // several: one long-polling partitions at their end must not hold back another partition of the
  // node that has records (with uneven partitions that cost a whole fetchMaxWait per round).
  private final List<InFlightFetch> fetches = new ArrayList<>();

  /** A fetch sent to one node, and what each partition's position was when it was sent. */
  private record InFlightFetch(
      CompletableFuture<FetchResponse> response,
      Map<TopicPartition, PartitionState> partitions,
      Map<TopicPartition, Long> positions) {}

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
    this.callTimeout = QuorumProducer.min(config.requestTimeout(), Duration.ofSeconds(10));
    List<String> bootstrap = Addresses.parse("bootstrap", config.bootstrap());
    this.metadata = new MetadataCache(connections, bootstrap, callTimeout);
    this.offsets =
        new OffsetLookup(
            connections, metadata, callTimeout, config.retryBackoff(), wireIsolation(config));
    this.coordinator = new CoordinatorClient(connections, metadata, bootstrap, callTimeout);
    this.inPollTimeout = QuorumProducer.min(config.sessionTimeout().dividedBy(3), callTimeout);
  }

  // ---- group membership -------------------------------------------------------------------

  @Override
  public void subscribe(Collection<String> topics) {
    subscribe(topics, NO_LISTENER);
  }

  @Override
  public void subscribe(Collection<String> topics, RebalanceListener listener) {
    Objects.requireNonNull(topics, "topics");
    List<String> names = new ArrayList<>(new LinkedHashSet<>(topics));
    for (String t : names) {
      if (t == null || t.isBlank()) {
        throw new IllegalArgumentException("topic names must not be blank: " + topics);
      }
    }
    if (names.isEmpty()) {
      unsubscribe();
      return;
    }
    startSubscription(names, null, listener);
  }

  @Override
  public void subscribe(Pattern pattern, RebalanceListener listener) {
    startSubscription(List.of(), Objects.requireNonNull(pattern, "pattern"), listener);
  }

  private void startSubscription(List<String> topics, Pattern pattern, RebalanceListener l) {
    ensureOpen();
    requireGroupId("subscribe");
    if (group == null && !assigned.isEmpty()) {
      throw new IllegalStateException(
          "subscribe and assign are mutually exclusive; assign(empty) first");
    }
    this.listener = l == null ? NO_LISTENER : l;
    if (group == null) {
      group = new GroupMembership(config, coordinator, groupExecutor(), assigned::keySet);
      nextAutoCommitNanos = System.nanoTime() + config.autoCommitInterval().toNanos();
    }
    group.subscribe(topics, pattern);
  }

  @Override
  public void unsubscribe() {
    ensureOpen();
    if (group != null) {
      leaveGroup(false);
    }
  }

  /** Commit if enabled, tell the listener, leave; then forget the partitions. Never throws. */
  private void leaveGroup(boolean closing) {
    long deadline = deadline(config.requestTimeout());
    try {
      if (group.joined()) {
        if (config.enableAutoCommit()) {
          try {
            commit(positions(), deadline);
          } catch (RuntimeException e) {
            log.warn("group {}: commit before leaving failed: {}", config.groupId(), e.toString());
          }
        }
        if (!assigned.isEmpty()) {
          try {
            listener.onPartitionsRevoked(this, List.copyOf(assigned.keySet()));
          } catch (RuntimeException e) {
            log.warn("group {}: onPartitionsRevoked failed while leaving", config.groupId(), e);
          }
        }
      }
      group.leave(closing, Math.min(deadline, deadline(LEAVE_TIMEOUT)));
    } finally {
      group = null;
      listener = NO_LISTENER;
      assigned.clear();
      awaitingCommitted.clear();
    }
  }

  @Override
  public void commitSync() {
    ensureOpen();
    requireGroupId("commitSync");
    commit(positions(), deadline(config.requestTimeout()));
  }

  @Override
  public void commitSync(Map<TopicPartition, Long> offsets) {
    ensureOpen();
    requireGroupId("commitSync");
    commit(checked(offsets), deadline(config.requestTimeout()));
  }

  @Override
  public CompletableFuture<Void> commitAsync() {
    ensureOpen();
    requireGroupId("commitAsync");
    return commitInBackground(positions());
  }

  @Override
  public Map<TopicPartition, Long> committed(Set<TopicPartition> partitions) {
    ensureOpen();
    requireGroupId("committed");
    return fetchCommitted(partitions, deadline(config.requestTimeout()));
  }

  /** Blocking commit; runs on the group thread so it is ordered after earlier async commits. */
  private void commit(Map<TopicPartition, Long> offsets, long deadlineNanos) {
    if (offsets.isEmpty()) {
      return;
    }
    try {
      commitInBackground(offsets, deadlineNanos).join();
    } catch (RuntimeException e) {
      Throwable cause = ErrorCodes.unwrap(e);
      throw cause instanceof BrokerException be
          ? be
          : ErrorCodes.fromTransport(cause, "coordinator", true);
    }
  }

  private CompletableFuture<Void> commitInBackground(Map<TopicPartition, Long> offsets) {
    if (offsets.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    // Short, like a heartbeat: a commit stuck behind a dead coordinator must not hold up others.
    return commitInBackground(offsets, deadline(inPollTimeout));
  }

  private CompletableFuture<Void> commitInBackground(
      Map<TopicPartition, Long> offsets, long deadlineNanos) {
    CommitOffsetsRequest.Builder request =
        CommitOffsetsRequest.newBuilder()
            .setGroupId(config.groupId())
            .addAllOffsets(GroupWire.commits(offsets));
    // Without a membership (assigned partitions) this is an administrative commit.
    if (group != null && group.joined()) {
      request.setMemberId(group.memberId()).setMemberEpoch(group.epoch());
    }
    CommitOffsetsRequest built = request.build();
    try {
      return CompletableFuture.runAsync(
          () ->
              coordinator.call(
                  config.groupId(),
                  stub -> stub.commitOffsets(built),
                  CommitOffsetsResponse::getError,
                  deadlineNanos),
          groupExecutor());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Map<TopicPartition, Long> fetchCommitted(
      Collection<TopicPartition> partitions, long deadlineNanos) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    FetchOffsetsRequest request =
        FetchOffsetsRequest.newBuilder()
            .setGroupId(config.groupId())
            .addAllPartitions(GroupWire.toWire(partitions))
            .setRequireStable(config.isolationLevel() == IsolationLevel.READ_COMMITTED)
            .build();
    FetchOffsetsResponse response =
        coordinator.call(
            config.groupId(),
            stub -> stub.fetchOffsets(request),
            FetchOffsetsResponse::getError,
            deadlineNanos);
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    for (CommittedOffset c : response.getOffsetsList()) {
      TopicPartition tp = new TopicPartition(c.getTopic(), c.getPartition());
      if (partitions.contains(tp)) {
        out.put(tp, c.getOffset());
      }
    }
    return out;
  }

  /** Positions of the owned partitions that have one (not those still being set up). */
  private Map<TopicPartition, Long> positions() {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    assigned.forEach(
        (tp, s) -> {
          if (s.position != null && !awaitingCommitted.contains(tp)) {
            out.put(tp, s.position);
          }
        });
    return out;
  }

  private static Map<TopicPartition, Long> checked(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    offsets.forEach(
        (tp, offset) -> {
          Objects.requireNonNull(tp, "partition");
          if (offset == null || offset < 0) {
            throw new IllegalArgumentException("offset of " + tp + " must be >= 0, was " + offset);
          }
          out.put(tp, offset);
        });
    return out;
  }

  private void requireGroupId(String operation) {
    if (config.groupId() == null) {
      throw new IllegalStateException(operation + " needs ConsumerConfig.groupId");
    }
  }

  private ScheduledExecutorService groupExecutor() {
    if (groupExecutor == null) {
      groupExecutor =
          Executors.newSingleThreadScheduledExecutor(ClientThreads.named("quorum-consumer-group"));
    }
    return groupExecutor;
  }

  /**
   * One step of the membership inside poll: take in a heartbeat answer, apply what changed, finish
   * setting up new partitions, auto-commit, and send the next heartbeat when due.
   */
  private void driveGroup() {
    long now = System.nanoTime();
    GroupMembership.Update update = group.poll(now);
    if (update.lost()) {
      losePartitions();
    }
    if (update.target() != null) {
      reconcile(update.target());
    }
    if (!awaitingCommitted.isEmpty()) {
      positionNewPartitions();
    }
    maybeAutoCommit(now);
    group.maybeHeartbeat(System.nanoTime());
    RuntimeException failure = listenerFailure;
    if (failure != null) {
      listenerFailure = null;
      throw failure;
    }
  }

  /** Revokes what the target no longer has (commit, tell, drop), then takes on what it adds. */
  private void reconcile(Set<TopicPartition> target) {
    List<TopicPartition> revoked = new ArrayList<>();
    for (TopicPartition tp : assigned.keySet()) {
      if (!target.contains(tp)) {
        revoked.add(tp);
      }
    }
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition tp : target) {
      if (!assigned.containsKey(tp)) {
        added.add(tp);
      }
    }
    if (!revoked.isEmpty()) {
      if (config.enableAutoCommit()) {
        try {
          commit(positions(), deadline(inPollTimeout));
        } catch (RuntimeException e) {
          log.warn(
              "group {}: commit before revoking {} failed: {}",
              config.groupId(),
              revoked,
              e.toString());
        }
      }
      callListener(() -> listener.onPartitionsRevoked(this, List.copyOf(revoked)));
      revoked.forEach(assigned::remove);
      awaitingCommitted.removeAll(revoked);
    }
    for (TopicPartition tp : added) {
      assigned.put(tp, new PartitionState());
      awaitingCommitted.add(tp);
    }
    if (!revoked.isEmpty() || !added.isEmpty()) {
      log.info("group {}: revoked {}, assigned {}", config.groupId(), revoked, added);
      group.heartbeatNow();
    }
  }

  /** Positions new partitions at their committed offsets (else by the reset policy). */
  private void positionNewPartitions() {
    List<TopicPartition> pending = List.copyOf(awaitingCommitted);
    Map<TopicPartition, Long> committed;
    try {
      committed = fetchCommitted(pending, deadline(inPollTimeout));
    } catch (BrokerException e) {
      if (!ErrorCodes.isRetriable(e)) {
        throw e;
      }
      log.debug("group {}: committed offsets not available yet: {}", config.groupId(), e);
      return;
    }
    for (TopicPartition tp : pending) {
      PartitionState s = assigned.get(tp);
      Long offset = committed.get(tp);
      if (offset != null) {
        s.position = offset;
        s.pendingReset = null;
      }
    }
    awaitingCommitted.removeAll(pending);
    callListener(() -> listener.onPartitionsAssigned(this, pending));
  }

  private void losePartitions() {
    List<TopicPartition> lost = List.copyOf(assigned.keySet());
    assigned.clear();
    awaitingCommitted.clear();
    if (!lost.isEmpty()) {
      log.warn("group {}: lost {}", config.groupId(), lost);
      callListener(() -> listener.onPartitionsLost(this, lost));
    }
  }

  private void maybeAutoCommit(long now) {
    if (!config.enableAutoCommit() || !group.joined() || now - nextAutoCommitNanos < 0) {
      return;
    }
    nextAutoCommitNanos = now + config.autoCommitInterval().toNanos();
    if (!autoCommit.isDone()) {
      return;
    }
    autoCommit =
        commitInBackground(positions())
            .whenComplete(
                (ok, e) -> {
                  if (e != null) {
                    log.warn(
                        "group {}: auto-commit failed: {}",
                        config.groupId(),
                        ErrorCodes.unwrap(e).toString());
                  }
                });
  }

  /** Runs a listener callback; its failure is kept and rethrown once the change is applied. */
  private void callListener(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("group {}: rebalance listener failed", config.groupId(), e);
      if (listenerFailure == null) {
        listenerFailure = e;
      }
    }
  }

  // ---- manual assignment and fetching -----------------------------------------------------

  @Override
  public void assign(Collection<TopicPartition> partitions) {
    ensureOpen();
    if (group != null) {
      throw new IllegalStateException(
          "assign and subscribe are mutually exclusive; unsubscribe first");
    }
    Map<TopicPartition, PartitionState> next = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      Objects.requireNonNull(tp, "partition");
      next.put(tp, assigned.getOrDefault(tp, new PartitionState()));
    }
    assigned.clear();
    assigned.putAll(next);
  }

  @Override
  public ConsumerGroupMetadata groupMetadata() {
    requireGroupId("groupMetadata");
    return group != null && group.joined()
        ? new ConsumerGroupMetadata(config.groupId(), group.memberId(), group.epoch())
        : new ConsumerGroupMetadata(config.groupId(), "", 0);
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
    if (awaitingCommitted.contains(partition)) {
      positionNewPartitions();
    }
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
    if (group == null && assigned.isEmpty()) {
      throw new IllegalStateException("not subscribed and no partitions assigned");
    }
    long deadline = deadline(timeout);
    while (true) {
      if (group != null) {
        driveGroup();
      }
      collectFetches();
      List<ConsumerRecord> records = drainBuffered();
      if (!records.isEmpty()) {
        // Ask now for what the next poll needs, so the answer travels while the caller works.
        sendFetches(config.fetchMaxWait().toMillis());
        return records;
      }
      List<TopicPartition> unresolved = new ArrayList<>();
      assigned.forEach(
          (tp, s) -> {
            if (s.position == null && !awaitingCommitted.contains(tp)) {
              unresolved.add(tp);
            }
          });
      if (!unresolved.isEmpty()) {
        resolvePositions(unresolved, deadline, false);
      }
      long fetchDeadline = deadline;
      if (group != null) {
        long wake = group.nextWakeNanos(System.nanoTime());
        fetchDeadline = wake - deadline < 0 ? wake : deadline;
      }
      boolean progress = fetchRound(fetchDeadline);
      records = drainBuffered();
      long now = System.nanoTime();
      if (!records.isEmpty()) {
        sendFetches(config.fetchMaxWait().toMillis());
        return records;
      }
      if (now - deadline >= 0) {
        return records;
      }
      if (!progress) {
        long pause = Math.min(config.retryBackoff().toNanos(), deadline - now);
        if (group != null) {
          group.await(assigned.isEmpty() ? deadline - now : pause);
        } else {
          MetadataCache.sleepNanos(pause);
        }
      }
    }
  }

  /**
   * Looks up positions by reset policy. Inside poll, retriable failures leave the partition
   * unresolved for the next round instead of throwing.
   */
  private void resolvePositions(
      Collection<TopicPartition> tps, long deadline, boolean mustResolve) {
    Map<TopicPartition, OffsetLookup.Query> queries = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      PartitionState s = assigned.get(tp);
      OffsetResetPolicy policy = s.pendingReset != null ? s.pendingReset : config.autoOffsetReset();
      switch (policy) {
        case EARLIEST -> queries.put(tp, OffsetLookup.Query.EARLIEST);
        case LATEST -> queries.put(tp, OffsetLookup.Query.LATEST);
        case NONE ->
            throw new OffsetOutOfRangeException(
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

  /**
   * Sends the fetches that are due and waits until one answers or the deadline passes. Returns
   * false when nothing could be asked or every answer was a failure worth pausing after.
   */
  private boolean fetchRound(long deadline) {
    long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    sendFetches(Math.min(config.fetchMaxWait().toMillis(), remainingMs));
    if (fetches.isEmpty()) {
      return false;
    }
    CompletableFuture<?>[] waiting =
        fetches.stream().map(InFlightFetch::response).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.anyOf(waiting)
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return true; // the poll's time is up; the fetch stays in flight for the next poll
    } catch (ExecutionException e) {
      // Applied below, with the node's other partitions.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.quorum.client.BrokerException("interrupted while fetching", false, e);
    }
    return collectFetches();
  }

  /**
   * Sends one fetch to each partition leader for the partitions whose records were all handed out
   * and that have no fetch in flight for their current position (a seek makes one stale).
   */
  private void sendFetches(long maxWaitMs) {
    Set<TopicPartition> inFlight = new HashSet<>();
    fetches.forEach(
        f ->
            f.partitions()
                .forEach(
                    (tp, state) -> {
                      if (state == assigned.get(tp)
                          && Objects.equals(f.positions().get(tp), state.position)) {
                        inFlight.add(tp);
                      }
                    }));
    List<TopicPartition> due = new ArrayList<>();
    Set<String> refresh = new HashSet<>();
    assigned.forEach(
        (tp, s) -> {
          if (s.position == null
              || !s.buffered.isEmpty()
              || awaitingCommitted.contains(tp)
              || inFlight.contains(tp)) {
            return;
          }
          due.add(tp);
          if (metadata.leaderAddress(tp) == null) {
            refresh.add(tp.topic());
          }
        });
    if (!refresh.isEmpty()) {
      refreshQuietly(refresh);
      if (group == null) {
        // When subscribed, the coordinator takes a deleted topic's partitions away instead.
        checkTopicsExist(refresh);
      }
    }
    // Grouped after the refresh: a leader it just named is asked in this round, not the next.
    Map<String, List<TopicPartition>> byLeader = new LinkedHashMap<>();
    for (TopicPartition tp : due) {
      String address = metadata.leaderAddress(tp);
      if (address != null) {
        byLeader.computeIfAbsent(address, a -> new ArrayList<>()).add(tp);
      }
    }
    byLeader.forEach(
        (address, tps) -> {
          Map<TopicPartition, PartitionState> sent = new LinkedHashMap<>();
          tps.forEach(tp -> sent.put(tp, assigned.get(tp)));
          Map<TopicPartition, Long> at = new LinkedHashMap<>();
          tps.forEach(tp -> at.put(tp, assigned.get(tp).position));
          fetches.add(
              new InFlightFetch(fetch(address, at, (int) Math.max(0, maxWaitMs)), sent, at));
        });
  }

  /**
   * Applies every fetch that has answered. A partition's answer counts only if the partition is
   * still assigned (the same assignment) at the position the fetch asked for, with nothing
   * buffered: a seek, reset or rebalance meanwhile makes it stale. Returns false when every answer
   * was a failure worth pausing after.
   */
  private boolean collectFetches() {
    boolean any = false;
    boolean progress = false;
    for (Iterator<InFlightFetch> it = fetches.iterator(); it.hasNext(); ) {
      InFlightFetch f = it.next();
      if (!f.response().isDone()) {
        continue;
      }
      it.remove();
      any = true;
      FetchResponse response;
      try {
        response = f.response().join();
      } catch (RuntimeException failure) {
        // The node may be down: forget its leaderships so the next round asks the cluster.
        f.partitions().keySet().forEach(metadata::forgetLeader);
        continue;
      }
      for (PartitionFetchResult r : response.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(r.getTopic(), r.getPartition());
        PartitionState asked = f.partitions().get(tp);
        PartitionState now = assigned.get(tp);
        if (asked == null
            || asked != now
            || !now.buffered.isEmpty()
            || now.position == null
            || !Objects.equals(f.positions().get(tp), now.position)) {
          progress = true; // stale, not a failure: nothing to pause for
          continue;
        }
        progress |= handle(r);
      }
    }
    return !any || progress;
  }

  private CompletableFuture<FetchResponse> fetch(
      String address, Map<TopicPartition, Long> positions, int maxWaitMs) {
    FetchRequest.Builder request =
        FetchRequest.newBuilder()
            .setMaxWaitMs(maxWaitMs)
            .setMinBytes(1)
            .setMaxBytes(config.fetchMaxBytes())
            .setIsolationLevel(wireIsolation(config));
    for (Map.Entry<TopicPartition, Long> e : positions.entrySet()) {
      TopicPartition tp = e.getKey();
      request.addPartitions(
          PartitionFetch.newBuilder()
              .setTopic(tp.topic())
              .setPartition(tp.partition())
              .setOffset(e.getValue())
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

  private static dev.quorum.protocol.v1.IsolationLevel wireIsolation(ConsumerConfig config) {
    return config.isolationLevel() == IsolationLevel.READ_COMMITTED
        ? dev.quorum.protocol.v1.IsolationLevel.READ_COMMITTED
        : dev.quorum.protocol.v1.IsolationLevel.READ_UNCOMMITTED;
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
      if (s.buffered.isEmpty() && r.getNextOffset() > s.position) {
        // Everything read was left out (batches of aborted transactions): move past it.
        s.position = r.getNextOffset();
      }
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
      if (code != ErrorCode.NOT_LEADER || !metadata.leaderMoved(tp, r.getError().getLeaderHint())) {
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
    if (closed) {
      return;
    }
    try {
      if (group != null) {
        leaveGroup(true);
      }
    } finally {
      closed = true;
      fetches.forEach(f -> f.response().cancel(true));
      fetches.clear();
      if (groupExecutor != null) {
        groupExecutor.shutdownNow();
      }
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
