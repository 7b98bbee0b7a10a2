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
import java.util.concurrent.Executor;
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
 * <p>Used only from the consumer's polling thread; the heartbeat RPCs themselves run on {@code
 * executor} so that a slow coordinator never blocks {@code poll}. At most one heartbeat is in
 * flight.
 */
final class GroupMembership {
  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);
  static final int LEAVE_EPOCH = -1;
  static final int STATIC_LEAVE_EPOCH = -2;

  /** While a heartbeat is in flight, poll looks for its answer this often. */
  private static final long INFLIGHT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** What a {@link #poll} learned: a new target assignment, and/or that every partition is lost. */
  record Update(Set<TopicPartition> target, boolean lost) {
    static final Update NONE = new Update(null, false);
  }

  private final ConsumerConfig config;
  private final String groupId;
  private final CoordinatorClient coordinator;
  private final Executor executor;
  private final Supplier<Collection<TopicPartition>> owned;
  private final long sessionNanos;
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

  GroupMembership(
      ConsumerConfig config,
      CoordinatorClient coordinator,
      Executor executor,
      Supplier<Collection<TopicPartition>> owned) {
    this.config = config;
    this.groupId = config.groupId();
    this.coordinator = coordinator;
    this.executor = executor;
    this.owned = owned;
    this.sessionNanos = config.sessionTimeout().toNanos();
    this.intervalNanos = Math.min(sessionNanos / 3, TimeUnit.SECONDS.toNanos(3));
    this.heartbeatTimeout =
        QuorumProducer.min(config.sessionTimeout().dividedBy(2), config.requestTimeout());
    this.nextHeartbeatNanos = System.nanoTime();
  }

  /** Sets what the member subscribes to; the change goes out with an immediate heartbeat. */
  void subscribe(List<String> topics, Pattern pattern) {
    this.topics = List.copyOf(topics);
    this.pattern = pattern;
    heartbeatNow();
  }

  String groupId() {
    return groupId;
  }

  String memberId() {
    return memberId;
  }

  int epoch() {
    return epoch;
  }

  /** True once a join was answered: the member has an epoch and may own partitions. */
  boolean joined() {
    return epoch > 0;
  }

  /** The owned set just changed: the coordinator must hear about it at once. */
  void heartbeatNow() {
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
  Update poll(long nowNanos) {
    Update update = Update.NONE;
    if (inflight != null && inflight.isDone()) {
      CompletableFuture<GroupHeartbeatResponse> done = inflight;
      inflight = null;
      update = complete(done, nowNanos);
    }
    if (joined() && nowNanos - lastSuccessNanos > sessionNanos) {
      log.warn(
          "group {}: no successful heartbeat for {}; treating the partitions as lost and rejoining",
          groupId,
          config.sessionTimeout());
      startOver(nowNanos);
      return new Update(null, true);
    }
    return update;
  }

  /** Sends a heartbeat if one is due and none is in flight. */
  void maybeHeartbeat(long nowNanos) {
    if (inflight == null && nowNanos - nextHeartbeatNanos >= 0) {
      send(epoch);
    }
  }

  /** When poll should next look at the membership (caps a fetch's wait). */
  long nextWakeNanos(long nowNanos) {
    return inflight != null ? nowNanos + INFLIGHT_CHECK_NANOS : nextHeartbeatNanos;
  }

  /** Waits up to {@code maxNanos} for the heartbeat in flight, or until the next one is due. */
  void await(long maxNanos) {
    if (maxNanos <= 0) {
      return;
    }
    if (inflight != null) {
      try {
        inflight.get(maxNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BrokerException("interrupted", false, e);
      } catch (ExecutionException | TimeoutException e) {
        // Handled by the next poll.
      }
      return;
    }
    long untilDue = nextHeartbeatNanos - System.nanoTime();
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
    if (inflight != null) {
      // Its answer may carry the member id of a join still in flight.
      try {
        inflight.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // Nothing to learn from it.
      }
      if (inflight.isDone()) {
        complete(inflight, System.nanoTime());
      }
      inflight = null;
    }
    if (!joined() && !sentJoin) {
      return;
    }
    int leaveEpoch =
        restarting && config.groupInstanceId() != null ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
    GroupHeartbeatRequest request = request(leaveEpoch, List.of());
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
    startOver(System.nanoTime());
  }

  private void send(int sendEpoch) {
    if (sendEpoch == 0) {
      sentJoin = true;
    }
    GroupHeartbeatRequest request = request(sendEpoch, owned.get());
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
