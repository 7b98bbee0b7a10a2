package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.FencedMemberException;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownMemberException;
import dev.quorum.protocol.v1.GroupHeartbeatRequest;
import dev.quorum.protocol.v1.GroupHeartbeatResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's membership in its group: joins, heartbeats, learns its target assignment, and
 * notices when it lost its partitions. It does not touch partitions itself: {@link #poll} hands the
 * consumer what changed, and the consumer reports what it owns through the {@code owned} supplier.
 *
 * <p>Driven by the consumer's polling thread, and between polls by a keep-alive tick on {@code
 * executor}: a member that takes long to process a batch still heartbeats, as long as it polls
 * within {@link ConsumerConfig#maxPollInterval()}. What a heartbeat answered between polls waits
 * for the next poll, so partitions only change hands on the polling thread. The heartbeat RPCs run
 * on {@code executor} too, so a slow coordinator never blocks {@code poll}. At most one heartbeat
 * is in flight. The monitor guards all state and is never held while waiting.
 */
final class GroupMembership {
  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);
  static final int LEAVE_EPOCH = -1;
  static final int STATIC_LEAVE_EPOCH = -2;

  /** While a heartbeat is in flight, poll looks for its answer this often. */
  private static final long INFLIGHT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** How often the keep-alive looks whether a heartbeat is due between polls. */
  private static final long KEEP_ALIVE_TICK_MILLIS = 100;

  /** What a {@link #poll} learned: a new target assignment, and/or that every partition is lost. */
  record Update(Set<TopicPartition> target, boolean lost) {
    static final Update NONE = new Update(null, false);

    /** This update followed by {@code later}: a loss voids any target learned before it. */
    Update then(Update later) {
      if (later.lost) {
        return later;
      }
      return later.target != null ? new Update(later.target, lost) : this;
    }
  }

  private final ConsumerConfig config;
  private final String groupId;
  private final CoordinatorClient coordinator;
  private final ScheduledExecutorService executor;
  private final Supplier<Collection<TopicPartition>> owned;
  private final long sessionNanos;
  private final long maxPollNanos;
  private final Duration heartbeatTimeout;
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

  private List<String> topics = List.of();
  private Pattern pattern;

  /**
   * Chosen by the member, not the coordinator, so a join whose reply was lost is retried as the
   * same member instead of leaving an orphan that holds partitions until its session expires.
   */
  private String memberId = newMemberId();

  /**
   * A join went out under {@link #memberId}: the coordinator may know the member, even unanswered.
   */
  private boolean sentJoin;

  private int epoch;
  private long intervalNanos;
  private long nextHeartbeatNanos;
  // The owned set changed while a heartbeat was in flight: send the next one right after it.
  private boolean urgent;
  private long lastSuccessNanos;
  private CompletableFuture<GroupHeartbeatResponse> inflight;
  private int inflightGeneration;
  // Bumped when the member starts over, so that an answer to an older incarnation is ignored.
  private int generation;
  // What answers taken in between polls told, for the next poll.
  private Update unreported = Update.NONE;
  // A non-retriable error an answer between polls carried, for the next poll to throw.
  private BrokerException unreportedError;
  // The owned partitions as the polling thread last saw them, for heartbeats sent between polls.
  private List<TopicPartition> ownedAtLastPoll = List.of();
  private long lastPollNanos;
  private ScheduledFuture<?> keepAlive;

  GroupMembership(
      ConsumerConfig config,
      CoordinatorClient coordinator,
      ScheduledExecutorService executor,
      Supplier<Collection<TopicPartition>> owned) {
    this.config = config;
    this.groupId = config.groupId();
    this.coordinator = coordinator;
    this.executor = executor;
    this.owned = owned;
    this.sessionNanos = config.sessionTimeout().toNanos();
    this.maxPollNanos = config.maxPollInterval().toNanos();
    this.intervalNanos = Math.min(sessionNanos / 3, TimeUnit.SECONDS.toNanos(3));
    this.heartbeatTimeout =
        QuorumProducer.min(config.sessionTimeout().dividedBy(2), config.requestTimeout());
    this.nextHeartbeatNanos = System.nanoTime();
    this.lastPollNanos = nextHeartbeatNanos;
  }

  /** Sets what the member subscribes to; the change goes out with an immediate heartbeat. */
  synchronized void subscribe(List<String> topics, Pattern pattern) {
    if (keepAlive == null) {
      keepAlive =
          executor.scheduleWithFixedDelay(
              this::tick, KEEP_ALIVE_TICK_MILLIS, KEEP_ALIVE_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }
    this.topics = List.copyOf(topics);
    this.pattern = pattern;
    heartbeatNow();
  }

  String groupId() {
    return groupId;
  }

  synchronized String memberId() {
    return memberId;
  }

  synchronized int epoch() {
    return epoch;
  }

  /** True once a join was answered: the member has an epoch and may own partitions. */
  synchronized boolean joined() {
    return epoch > 0;
  }

  /** The owned set just changed (polling thread): the coordinator must hear about it at once. */
  synchronized void heartbeatNow() {
    ownedAtLastPoll = List.copyOf(owned.get());
    if (inflight == null) {
      nextHeartbeatNanos = System.nanoTime();
    } else {
      urgent = true;
    }
  }

  /**
   * Takes in the answer of the heartbeat in flight, if any, and checks the session. Throws a
   * non-retriable error the coordinator answered (for example an invalid group id).
   */
  synchronized Update poll(long nowNanos) {
    lastPollNanos = nowNanos;
    takeAnswer(nowNanos);
    if (joined() && nowNanos - lastSuccessNanos > sessionNanos) {
      log.warn(
          "group {}: no successful heartbeat for {}; treating the partitions as lost and rejoining",
          groupId,
          config.sessionTimeout());
      startOver(nowNanos);
      unreported = unreported.then(new Update(null, true));
    }
    BrokerException error = unreportedError;
    if (error != null) {
      // What else was learned (a loss, say) stays for the next poll.
      unreportedError = null;
      throw error;
    }
    Update update = unreported;
    unreported = Update.NONE;
    return update;
  }

  /** Sends a heartbeat if one is due and none is in flight (polling thread). */
  synchronized void maybeHeartbeat(long nowNanos) {
    ownedAtLastPoll = List.copyOf(owned.get());
    if (inflight == null && nowNanos - nextHeartbeatNanos >= 0) {
      send(epoch);
    }
  }

  /**
   * Between polls: keeps a joined member's session alive, and leaves the group once the application
   * has not polled for {@link ConsumerConfig#maxPollInterval()}. Never joins: only a poll does,
   * because only a polling consumer can take partitions on.
   */
  synchronized void keepAlive(long nowNanos) {
    takeAnswer(nowNanos);
    if (!joined()) {
      return;
    }
    if (nowNanos - lastPollNanos > maxPollNanos) {
      log.warn(
          "group {}: poll() was not called for {} (maxPollInterval); leaving the group so its"
              + " partitions move on; the next poll rejoins",
          groupId,
          config.maxPollInterval());
      GroupHeartbeatRequest leave = request(LEAVE_EPOCH, List.of());
      startOver(nowNanos);
      unreported = unreported.then(new Update(null, true));
      long deadline = QuorumConsumer.deadline(heartbeatTimeout);
      CompletableFuture.runAsync(() -> call(leave, deadline), executor)
          .exceptionally(
              e -> {
                log.warn("group {}: could not leave (the session will expire): {}", groupId, e);
                return null;
              });
      return;
    }
    if (inflight == null && nowNanos - nextHeartbeatNanos >= 0) {
      send(epoch);
    }
  }

  private void tick() {
    try {
      keepAlive(System.nanoTime());
    } catch (RuntimeException e) {
      // An exception would cancel every later tick; the next poll sees what went wrong.
      log.warn("group {}: keep-alive failed", groupId, e);
    }
  }

  /** When poll should next look at the membership (caps a fetch's wait). */
  synchronized long nextWakeNanos(long nowNanos) {
    return inflight != null ? nowNanos + INFLIGHT_CHECK_NANOS : nextHeartbeatNanos;
  }

  /** Waits up to {@code maxNanos} for the heartbeat in flight, or until the next one is due. */
  void await(long maxNanos) {
    if (maxNanos <= 0) {
      return;
    }
    CompletableFuture<GroupHeartbeatResponse> pending;
    long dueNanos;
    synchronized (this) {
      pending = inflight;
      dueNanos = nextHeartbeatNanos;
    }
    if (pending != null) {
      try {
        pending.get(maxNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BrokerException("interrupted", false, e);
      } catch (ExecutionException | TimeoutException e) {
        // Handled by the next poll.
      }
      return;
    }
    long untilDue = dueNanos - System.nanoTime();
    long wait = Math.min(maxNanos, untilDue);
    if (wait > 0) {
      MetadataCache.sleepNanos(wait);
    }
  }

  /**
   * Leaves the group (epoch -1, or -2 for a static member restarting), waiting up to the deadline.
   * Failures are logged: the coordinator drops a silent member after its session anyway.
   */
  void leave(boolean restarting, long deadlineNanos) {
    CompletableFuture<GroupHeartbeatResponse> pending;
    synchronized (this) {
      if (keepAlive != null) {
        keepAlive.cancel(false);
      }
      pending = inflight;
    }
    if (pending != null) {
      // Its answer may carry the member id of a join still in flight.
      try {
        pending.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // Nothing to learn from it.
      }
    }
    GroupHeartbeatRequest request;
    synchronized (this) {
      takeAnswer(System.nanoTime());
      unreportedError = null;
      boolean known = joined() || sentJoin;
      int leaveEpoch =
          restarting && config.groupInstanceId() != null ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
      request = request(leaveEpoch, List.of());
      startOver(System.nanoTime());
      if (!known) {
        return;
      }
    }
    try {
      CompletableFuture.supplyAsync(() -> call(request, deadlineNanos), executor)
          .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("group {}: interrupted while leaving", groupId);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn(
          "group {}: could not leave cleanly (the session will expire): {}",
          groupId,
          ErrorCodes.unwrap(e instanceof ExecutionException ? e.getCause() : e).toString());
    }
  }

  /** Takes in the answer of the heartbeat in flight, if it came. */
  private void takeAnswer(long nowNanos) {
    if (inflight != null && inflight.isDone()) {
      CompletableFuture<GroupHeartbeatResponse> done = inflight;
      inflight = null;
      try {
        unreported = unreported.then(complete(done, nowNanos));
      } catch (BrokerException e) {
        unreportedError = e;
      }
    }
  }

  private void send(int sendEpoch) {
    if (sendEpoch == 0) {
      sentJoin = true;
    }
    GroupHeartbeatRequest request = request(sendEpoch, ownedAtLastPoll);
    long deadline = QuorumConsumer.deadline(heartbeatTimeout);
    inflightGeneration = generation;
    urgent = false;
    // Replaced when the answer arrives; nothing is sent while one is in flight.
    nextHeartbeatNanos = System.nanoTime() + intervalNanos;
    try {
      inflight = CompletableFuture.supplyAsync(() -> call(request, deadline), executor);
    } catch (RuntimeException e) {
      inflight = CompletableFuture.failedFuture(e);
    }
  }

  private GroupHeartbeatResponse call(GroupHeartbeatRequest request, long deadline) {
    return coordinator.call(
        groupId, stub -> stub.groupHeartbeat(request), GroupHeartbeatResponse::getError, deadline);
  }

  private GroupHeartbeatRequest request(int sendEpoch, Collection<TopicPartition> ownedNow) {
    GroupHeartbeatRequest.Builder b =
        GroupHeartbeatRequest.newBuilder()
            .setGroupId(groupId)
            .setMemberId(memberId)
            .setMemberEpoch(sendEpoch)
            .setAssignor(config.assignor().wireName())
            .setSessionTimeoutMs(
                (int) Math.min(Integer.MAX_VALUE, config.sessionTimeout().toMillis()))
            .setClientId(config.clientId())
            .addAllOwned(GroupWire.toWire(ownedNow));
    if (config.groupInstanceId() != null) {
      b.setInstanceId(config.groupInstanceId());
    }
    if (pattern != null) {
      b.setSubscribedPattern(pattern.pattern());
    } else {
      b.addAllSubscribedTopics(topics);
    }
    return b.build();
  }

  private Update complete(CompletableFuture<GroupHeartbeatResponse> done, long nowNanos) {
    boolean stale = inflightGeneration != generation;
    GroupHeartbeatResponse response;
    try {
      response = done.join();
    } catch (RuntimeException e) {
      if (stale) {
        return Update.NONE;
      }
      return failed(ErrorCodes.fromTransport(e, "coordinator", false), nowNanos);
    }
    if (stale) {
      return Update.NONE;
    }
    if (!response.getMemberId().isEmpty()) {
      memberId = response.getMemberId();
    }
    epoch = response.getMemberEpoch();
    if (response.getHeartbeatIntervalMs() > 0) {
      intervalNanos = TimeUnit.MILLISECONDS.toNanos(response.getHeartbeatIntervalMs());
    }
    lastSuccessNanos = nowNanos;
    backoff.reset();
    nextHeartbeatNanos = urgent ? nowNanos : nowNanos + intervalNanos;
    urgent = false;
    return new Update(GroupWire.fromWire(response.getAssignmentList()), false);
  }

  private Update failed(BrokerException e, long nowNanos) {
    if (e instanceof UnknownMemberException || e instanceof FencedMemberException) {
      log.info("group {}: member {} must rejoin: {}", groupId, memberId, e.getMessage());
      startOver(nowNanos);
      return new Update(null, true);
    }
    nextHeartbeatNanos = nowNanos + Math.min(backoff.nextNanos(), intervalNanos);
    urgent = false;
    if (ErrorCodes.isRetriable(e)) {
      log.debug("group {}: heartbeat failed, retrying: {}", groupId, e.getMessage());
      coordinator.forget(groupId);
      return Update.NONE;
    }
    throw e;
  }

  /** Forgets the member; the next heartbeat (sent at once) joins afresh with epoch 0. */
  private void startOver(long nowNanos) {
    memberId = newMemberId();
    sentJoin = false;
    epoch = 0;
    generation++;
    inflight = null;
    lastSuccessNanos = nowNanos;
    nextHeartbeatNanos = nowNanos;
  }

  private static String newMemberId() {
    return java.util.UUID.randomUUID().toString();
  }
}
