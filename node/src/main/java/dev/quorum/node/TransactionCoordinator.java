package dev.quorum.node;

import dev.quorum.protocol.raft.PartitionCommand;
import dev.quorum.protocol.raft.TransactionCommand;
import dev.quorum.protocol.raft.TransactionState;
import dev.quorum.protocol.raft.TransactionState.Outcome;
import dev.quorum.protocol.raft.TransactionState.Phase;
import dev.quorum.protocol.v1.AddToTransactionRequest;
import dev.quorum.protocol.v1.AddToTransactionResponse;
import dev.quorum.protocol.v1.DescribeTransactionRequest;
import dev.quorum.protocol.v1.DescribeTransactionResponse;
import dev.quorum.protocol.v1.EndTransactionRequest;
import dev.quorum.protocol.v1.EndTransactionResponse;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FindCoordinatorResponse;
import dev.quorum.protocol.v1.InitTransactionsRequest;
import dev.quorum.protocol.v1.InitTransactionsResponse;
import dev.quorum.protocol.v1.ListTransactionsResponse;
import dev.quorum.protocol.v1.TopicPartitions;
import dev.quorum.protocol.v1.TransactionDescription;
import dev.quorum.protocol.v1.WriteTransactionMarkerRequest;
import dev.quorum.statemachine.SeededBugs;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates transactions. A transactional id lives in one partition of the internal topic {@value
 * #TOPIC}; that partition's leader coordinates it, and every state change goes through the
 * partition's Raft group, so a new coordinator after a failover continues exactly where the old one
 * stopped.
 *
 * <p>Every transaction has its own producer epoch: ending a transaction moves the producer to the
 * next epoch, and markers carry the epoch of the transaction they end. A delayed marker or request
 * of an ended transaction therefore never touches the next one (KIP-890's fix of the flaw Jepsen
 * found in Kafka). Commit is two-phase: the decision (PREPARE_COMMIT or PREPARE_ABORT) is written
 * first, then a marker to every partition of the transaction, then the end.
 */
final class TransactionCoordinator implements AutoCloseable {
  static final String TOPIC = "__transactions";
  static final int PARTITIONS = 3;
  static final int DEFAULT_TIMEOUT_MS = 60_000;
  static final int MAX_TIMEOUT_MS = 900_000;
  private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
  private static final long WRITE_TIMEOUT_MS = 10_000;
  // An EndTransaction waits this long for the markers, then answers retriably; they keep going.
  private static final long END_WAIT_MS = 20_000;

  private final int nodeId;
  private final InternalTopic transactionsTopic;
  private final InternalTopic groupsTopic;
  private final PartitionLookup lookup;
  private final RaftSubmitter submitter;
  private final ProducerIds producerIds;
  private final TransactionMarkers markers;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final SerialQueues queues;
  private final Map<String, Completion> completing = new ConcurrentHashMap<>();
  private final TransactionAges ages = new TransactionAges(System::nanoTime);

  /** Markers being written for one decided transaction, in one leader term of its partition. */
  private record Completion(
      int epoch, Phase phase, long term, CompletableFuture<TransactionState> future) {
    boolean completes(TransactionState decided, long currentTerm) {
      return epoch == decided.getProducerEpoch()
          && phase == decided.getPhase()
          && term == currentTerm;
    }
  }

  TransactionCoordinator(
      int nodeId,
      LocalReplicas replicas,
      PartitionLookup lookup,
      RaftSubmitter submitter,
      MetadataWriter metadataWriter,
      int clusterSize,
      ProducerIds producerIds,
      TransactionMarkers markers,
      InternalTopic groupsTopic,
      Clock clock,
      ScheduledExecutorService executor) {
    this.nodeId = nodeId;
    this.groupsTopic = groupsTopic;
    this.transactionsTopic =
        new InternalTopic(
            TOPIC, PARTITIONS, "transactional id", replicas, lookup, metadataWriter, clusterSize);
    this.lookup = lookup;
    this.submitter = submitter;
    this.producerIds = producerIds;
    this.markers = markers;
    this.clock = clock;
    this.executor = executor;
    this.queues = new SerialQueues(executor);
  }

  void start() {
    executor.scheduleWithFixedDelay(this::tickSafely, 200, 200, TimeUnit.MILLISECONDS);
  }

  // ---- requests

  FindCoordinatorResponse findCoordinator(String transactionalId) {
    FindCoordinatorResponse.Builder response = FindCoordinatorResponse.newBuilder();
    Error invalid = checkId(transactionalId);
    if (invalid != null) {
      return response.setError(invalid).build();
    }
    InternalTopic.CoordinatorNode found = transactionsTopic.findCoordinator(transactionalId);
    return found.error() != null
        ? response.setError(found.error()).build()
        : response.setNodeId(found.nodeId()).build();
  }

  CompletableFuture<InitTransactionsResponse> initTransactions(InitTransactionsRequest request) {
    String id = request.getTransactionalId();
    int timeout =
        request.getTransactionTimeoutMs() == 0
            ? DEFAULT_TIMEOUT_MS
            : request.getTransactionTimeoutMs();
    Error invalid = checkId(id);
    if (invalid == null && (timeout < 1 || timeout > MAX_TIMEOUT_MS)) {
      invalid =
          Errors.definite(
              ErrorCode.INVALID_REQUEST,
              "transaction timeout " + timeout + " ms is outside [1, " + MAX_TIMEOUT_MS + "] ms");
    }
    Located at = locate(id, invalid);
    if (at.error() != null) {
      return done(InitTransactionsResponse.newBuilder().setError(at.error()).build());
    }
    return serially(
        id,
        () ->
            init(at.partition(), id, timeout)
                .thenApply(
                    s ->
                        InitTransactionsResponse.newBuilder()
                            .setProducerId(s.getProducerId())
                            .setProducerEpoch(s.getProducerEpoch())
                            .build())
                .exceptionally(
                    failure ->
                        InitTransactionsResponse.newBuilder().setError(errorOf(failure)).build()));
  }

  /**
   * Gives the transactional id a new epoch (a new producer id the first time), aborting a
   * transaction the previous producer left open: that producer is fenced from then on.
   */
  private CompletableFuture<TransactionState> init(
      LocalReplicas.Partition partition, String id, int timeout) {
    TransactionState current = partition.stateMachine().transaction(id).orElse(null);
    if (current == null) {
      return producerIds
          .allocate()
          .thenCompose(
              producerId ->
                  put(
                      partition,
                      TransactionState.newBuilder()
                          .setTransactionalId(id)
                          .setProducerId(producerId)
                          .setTimeoutMs(timeout)
                          .build()));
    }
    return switch (current.getPhase()) {
      case PREPARE_COMMIT, PREPARE_ABORT -> {
        complete(partition, current);
        yield CompletableFuture.failedFuture(
            new TransactionException(
                Errors.definite(
                    ErrorCode.CONCURRENT_TRANSACTIONS,
                    "the previous transaction of " + id + " is being completed; retry")));
      }
      case ONGOING ->
          prepare(partition, current, false).thenCompose(ended -> init(partition, id, timeout));
      case EMPTY, UNRECOGNIZED -> {
        TransactionState.Builder next =
            current.toBuilder()
                .setTimeoutMs(timeout)
                .clearLastOutcome()
                .clearLastEpoch()
                .setLastUpdateMs(clock.millis());
        if (current.getProducerEpoch() >= Short.MAX_VALUE) {
          // Epochs are cheap but not endless: move to a fresh producer id.
          yield producerIds
              .allocate()
              .thenCompose(
                  producerId ->
                      put(partition, next.setProducerId(producerId).setProducerEpoch(0).build()));
        }
        yield put(partition, next.setProducerEpoch(current.getProducerEpoch() + 1).build());
      }
    };
  }

  CompletableFuture<AddToTransactionResponse> add(AddToTransactionRequest request) {
    String id = request.getTransactionalId();
    Located at = locate(id, checkId(id));
    if (at.error() != null) {
      return done(AddToTransactionResponse.newBuilder().setError(at.error()).build());
    }
    return serially(
        id,
        () -> {
          try {
            TransactionState current = currentFor(at.partition(), id, request.getProducerId());
            if (current.getPhase() == Phase.EMPTY
                && current.getLastOutcome() == Outcome.ABORTED
                && current.getLastEpoch() == request.getProducerEpoch()
                && current.getProducerEpoch() == request.getProducerEpoch() + 1) {
              // The coordinator aborted it (it timed out): the producer must abort, not die.
              throw outcomeConflict(id, Outcome.ABORTED);
            }
            checkEpoch(current, request.getProducerEpoch());
            if (current.getPhase() == Phase.PREPARE_COMMIT
                || current.getPhase() == Phase.PREPARE_ABORT) {
              throw new TransactionException(
                  Errors.definite(
                      ErrorCode.CONCURRENT_TRANSACTIONS,
                      "the transaction of " + id + " is being completed"));
            }
            List<TopicPartitions> wanted = new ArrayList<>(request.getPartitionsList());
            if (!request.getGroupId().isEmpty()) {
              // A group's offsets may join a transaction before any consumer used a group, and
              // it is the groups' coordinator that creates their topic on first use: ask for it.
              groupsTopic.topic();
              wanted.add(
                  TopicPartitions.newBuilder()
                      .setTopic(GroupCoordinator.TOPIC)
                      .addPartitions(GroupCoordinator.partitionOf(request.getGroupId()))
                      .build());
            }
            Set<PartitionKey> partitions = PartitionKey.fromWire(current.getPartitionsList());
            for (PartitionKey key : PartitionKey.fromWire(wanted)) {
              checkPartition(key, request.getGroupId());
              partitions.add(key);
            }
            boolean changed =
                current.getPhase() != Phase.ONGOING
                    || partitions.size()
                        != PartitionKey.fromWire(current.getPartitionsList()).size();
            if (!changed) {
              return done(AddToTransactionResponse.getDefaultInstance());
            }
            TransactionState.Builder next =
                current.toBuilder()
                    .clearPartitions()
                    .addAllPartitions(PartitionKey.toWire(partitions))
                    .setLastUpdateMs(clock.millis());
            if (current.getPhase() != Phase.ONGOING) {
              next.setPhase(Phase.ONGOING).setStartTimeMs(clock.millis());
            }
            return put(at.partition(), next.build())
                .thenApply(s -> AddToTransactionResponse.getDefaultInstance())
                .exceptionally(
                    failure ->
                        AddToTransactionResponse.newBuilder().setError(errorOf(failure)).build());
          } catch (TransactionException e) {
            return done(AddToTransactionResponse.newBuilder().setError(e.error).build());
          }
        });
  }

  CompletableFuture<EndTransactionResponse> end(EndTransactionRequest request) {
    String id = request.getTransactionalId();
    Located at = locate(id, checkId(id));
    if (at.error() != null) {
      return done(EndTransactionResponse.newBuilder().setError(at.error()).build());
    }
    return serially(
            id,
            () -> {
              try {
                return end(at.partition(), request);
              } catch (TransactionException e) {
                return CompletableFuture.<TransactionState>failedFuture(e);
              }
            })
        .orTimeout(END_WAIT_MS, TimeUnit.MILLISECONDS)
        .thenApply(
            s ->
                EndTransactionResponse.newBuilder()
                    .setNextProducerEpoch(s.getProducerEpoch())
                    .build())
        .exceptionally(
            failure -> EndTransactionResponse.newBuilder().setError(errorOf(failure)).build());
  }

  /** Ends the open transaction; answers a retried end the way the first one ended. */
  private CompletableFuture<TransactionState> end(
      LocalReplicas.Partition partition, EndTransactionRequest request) {
    String id = request.getTransactionalId();
    TransactionState current = currentFor(partition, id, request.getProducerId());
    Outcome wanted = request.getCommit() ? Outcome.COMMITTED : Outcome.ABORTED;
    int epoch = request.getProducerEpoch();
    boolean sameEpoch = epoch == current.getProducerEpoch();
    switch (current.getPhase()) {
      case ONGOING -> {
        checkEpoch(current, epoch);
        return prepare(partition, current, request.getCommit());
      }
      case PREPARE_COMMIT, PREPARE_ABORT -> {
        checkEpoch(current, epoch);
        Outcome deciding =
            current.getPhase() == Phase.PREPARE_COMMIT ? Outcome.COMMITTED : Outcome.ABORTED;
        if (deciding != wanted) {
          throw outcomeConflict(id, deciding);
        }
        return complete(partition, current);
      }
      default -> {
        if (sameEpoch) {
          // Nothing was added, so there is nothing to end.
          return done(current);
        }
        if (current.getLastOutcome() != Outcome.NONE
            && current.getLastEpoch() == epoch
            && current.getProducerEpoch() == epoch + 1) {
          if (current.getLastOutcome() != wanted) {
            throw outcomeConflict(id, current.getLastOutcome());
          }
          return done(current);
        }
        checkEpoch(current, epoch);
        return done(current);
      }
    }
  }

  ListTransactionsResponse list() {
    ListTransactionsResponse.Builder response = ListTransactionsResponse.newBuilder();
    for (LocalReplicas.Partition partition : transactionsTopic.ledPartitions()) {
      response.addCoordinatorPartitions(partition.partition());
      for (TransactionState s : partition.stateMachine().transactions().values()) {
        response.addTransactions(describe(s));
      }
    }
    return response.build();
  }

  DescribeTransactionResponse describe(DescribeTransactionRequest request) {
    String id = request.getTransactionalId();
    Located at = locate(id, checkId(id));
    DescribeTransactionResponse.Builder response = DescribeTransactionResponse.newBuilder();
    if (at.error() != null) {
      return response.setError(at.error()).build();
    }
    return at.partition()
        .stateMachine()
        .transaction(id)
        .map(s -> response.setTransaction(describe(s)).build())
        .orElseGet(
            () ->
                response
                    .setError(
                        Errors.definite(
                            ErrorCode.INVALID_TRANSACTIONAL_ID,
                            "transactional id '" + id + "' does not exist"))
                    .build());
  }

  private TransactionDescription describe(TransactionState s) {
    return TransactionDescription.newBuilder()
        .setTransactionalId(s.getTransactionalId())
        .setProducerId(s.getProducerId())
        .setProducerEpoch(s.getProducerEpoch())
        .setState(s.getPhase().name())
        .addAllPartitions(s.getPartitionsList())
        .setStartTimeMs(s.getStartTimeMs())
        .setTimeoutMs(s.getTimeoutMs())
        .setCoordinatorId(nodeId)
        .setLastOutcome(s.getLastOutcome() == Outcome.NONE ? "" : s.getLastOutcome().name())
        .build();
  }

  // ---- two-phase commit

  /** Writes the decision, then drives the markers; completes with the ended state. */
  private CompletableFuture<TransactionState> prepare(
      LocalReplicas.Partition partition, TransactionState ongoing, boolean commit) {
    TransactionState decided =
        ongoing.toBuilder()
            .setPhase(commit ? Phase.PREPARE_COMMIT : Phase.PREPARE_ABORT)
            .setLastUpdateMs(clock.millis())
            .build();
    return put(partition, decided).thenCompose(stored -> complete(partition, stored));
  }

  /**
   * Writes the decided transaction's marker to each of its partitions, then ends it and moves the
   * producer to its next epoch. One completion per transactional id at a time.
   */
  private CompletableFuture<TransactionState> complete(
      LocalReplicas.Partition partition, TransactionState decided) {
    String id = decided.getTransactionalId();
    long term = termOf(partition);
    Completion mine =
        new Completion(
            decided.getProducerEpoch(), decided.getPhase(), term, new CompletableFuture<>());
    // A completion left from an earlier term or transaction is not this one's: replace it (it
    // stops at its next check, and its final write would fail the version check anyway).
    Completion running =
        completing.compute(
            id,
            (k, existing) ->
                existing != null && existing.completes(decided, term) ? existing : mine);
    if (running != mine) {
      return running.future();
    }
    boolean commit = decided.getPhase() == Phase.PREPARE_COMMIT;
    List<CompletableFuture<Void>> written = new ArrayList<>();
    List<PartitionKey> keys = new ArrayList<>(PartitionKey.fromWire(decided.getPartitionsList()));
    for (PartitionKey key : keys) {
      if (commit
          && keys.size() > 1
          && key.equals(keys.get(keys.size() - 1))
          && SeededBugs.isOn(SeededBugs.Bug.DROP_TXN_MARKER)) {
        continue; // the seeded bug: the last partition never learns that the transaction committed
      }
      written.add(
          markers.write(
              WriteTransactionMarkerRequest.newBuilder()
                  .setTopic(key.topic())
                  .setPartition(key.partition())
                  .setProducerId(decided.getProducerId())
                  .setProducerEpoch(decided.getProducerEpoch())
                  .setCommit(commit)
                  .build(),
              () -> partition.isLeaderReady() && termOf(partition) == term));
    }
    CompletableFuture.allOf(written.toArray(CompletableFuture[]::new))
        .thenCompose(
            v ->
                put(
                    partition,
                    decided.toBuilder()
                        .setPhase(Phase.EMPTY)
                        .clearPartitions()
                        .clearStartTimeMs()
                        .setLastEpoch(decided.getProducerEpoch())
                        .setLastOutcome(commit ? Outcome.COMMITTED : Outcome.ABORTED)
                        .setProducerEpoch(decided.getProducerEpoch() + 1)
                        .setLastUpdateMs(clock.millis())
                        .build()))
        .whenComplete(
            (ended, failure) -> {
              completing.remove(id, mine);
              if (failure != null) {
                LOG.info(
                    "node {}: completing transaction {} stopped, the coordinator will retry: {}",
                    nodeId,
                    id,
                    failure.getMessage());
                mine.future().completeExceptionally(failure);
              } else {
                mine.future().complete(ended);
              }
            });
    return mine.future();
  }

  private static long termOf(LocalReplicas.Partition partition) {
    var division = partition.division();
    return division == null ? -1 : division.getInfo().getCurrentTerm();
  }

  // ---- timeouts and recovery

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.warn("node {}: transaction housekeeping failed; will retry", nodeId, e);
    }
  }

  /**
   * Finishes decided transactions (after a coordinator failover the new leader finds them here) and
   * aborts transactions open for longer than their timeout.
   */
  private void tick() {
    Set<String> open = new HashSet<>();
    // Only a transactional producer creates the topic: a cluster without any pays nothing.
    for (LocalReplicas.Partition partition : transactionsTopic.ledPartitions()) {
      for (TransactionState s : partition.stateMachine().transactions().values()) {
        String id = s.getTransactionalId();
        if (s.getPhase() == Phase.PREPARE_COMMIT || s.getPhase() == Phase.PREPARE_ABORT) {
          Completion running = completing.get(id);
          if (running == null || !running.completes(s, termOf(partition))) {
            complete(partition, s);
          }
        } else if (s.getPhase() == Phase.ONGOING) {
          open.add(id);
          if (ages.timedOut(s, clock.millis()) && !queues.busy(id)) {
            serially(id, () -> abortIfTimedOut(partition, id));
          }
        }
      }
    }
    ages.retainOnly(open);
  }

  private CompletableFuture<TransactionState> abortIfTimedOut(
      LocalReplicas.Partition partition, String id) {
    TransactionState s = partition.stateMachine().transaction(id).orElse(null);
    if (s == null || s.getPhase() != Phase.ONGOING || !ages.timedOut(s, clock.millis())) {
      return done(s);
    }
    LOG.info(
        "node {}: aborting transaction of {} (producer {} epoch {}): open for more than {} ms",
        nodeId,
        id,
        s.getProducerId(),
        s.getProducerEpoch(),
        s.getTimeoutMs());
    return prepare(partition, s, false);
  }

  // ---- helpers

  /** Stores {@code next} if the stored version is still {@code next.version}. */
  private CompletableFuture<TransactionState> put(
      LocalReplicas.Partition partition, TransactionState next) {
    PartitionCommand command =
        PartitionCommand.newBuilder()
            .setTransaction(
                TransactionCommand.newBuilder()
                    .setTransactionalId(next.getTransactionalId())
                    .setExpectedVersion(next.getVersion())
                    .setState(next))
            .build();
    return submitter
        .submit(partition, command, WRITE_TIMEOUT_MS)
        .thenApply(
            result -> {
              if (result.hasError()) {
                throw new TransactionException(result.getError());
              }
              return next.toBuilder().setVersion(next.getVersion() + 1).build();
            });
  }

  private TransactionState currentFor(
      LocalReplicas.Partition partition, String id, long producerId) {
    TransactionState current = partition.stateMachine().transaction(id).orElse(null);
    if (current == null) {
      throw new TransactionException(
          Errors.definite(
              ErrorCode.INVALID_TXN_STATE,
              "transactional id '" + id + "' is unknown: call initTransactions first"));
    }
    if (current.getProducerId() != producerId) {
      throw new TransactionException(
          Errors.definite(
              ErrorCode.PRODUCER_FENCED,
              "producer id "
                  + producerId
                  + " no longer owns transactional id '"
                  + id
                  + "' (a newer producer took it over)"));
    }
    return current;
  }

  private static void checkEpoch(TransactionState current, int epoch) {
    if (epoch != current.getProducerEpoch()) {
      throw new TransactionException(
          Errors.definite(
              ErrorCode.PRODUCER_FENCED,
              "epoch "
                  + epoch
                  + " of transactional id '"
                  + current.getTransactionalId()
                  + "' was fenced: the current epoch is "
                  + current.getProducerEpoch()));
    }
  }

  private void checkPartition(PartitionKey key, String groupId) {
    if (key.topic().startsWith("__")
        && !(key.topic().equals(GroupCoordinator.TOPIC) && !groupId.isEmpty())) {
      throw new TransactionException(
          Errors.definite(
              ErrorCode.INVALID_REQUEST, "internal topic " + key.topic() + " is not writable"));
    }
    PartitionLookup.Resolved resolved = lookup.leaderOf(key.topic(), key.partition());
    Error error = resolved.error();
    if (error != null
        && (error.getCode() == ErrorCode.UNKNOWN_TOPIC
            || error.getCode() == ErrorCode.UNKNOWN_PARTITION)) {
      // The client found the partition in its metadata; this node's may only be behind.
      throw new TransactionException(
          Errors.definite(
              ErrorCode.COORDINATOR_NOT_AVAILABLE,
              "the coordinator does not know " + key + " yet: " + error.getMessage()));
    }
  }

  private static TransactionException outcomeConflict(String id, Outcome outcome) {
    return new TransactionException(
        Errors.definite(
            ErrorCode.INVALID_TXN_STATE,
            "the transaction of '"
                + id
                + "' was "
                + (outcome == Outcome.COMMITTED ? "committed" : "aborted (did it time out?)")));
  }

  private record Located(LocalReplicas.@Nullable Partition partition, @Nullable Error error) {}

  private Located locate(String id, @Nullable Error invalid) {
    if (invalid != null) {
      return new Located(null, invalid);
    }
    PartitionLookup.Resolved resolved = transactionsTopic.coordinatorOf(id);
    return new Located(resolved.partition(), resolved.error());
  }

  private static @Nullable Error checkId(String id) {
    if (id.isBlank() || id.length() > 249 || id.chars().anyMatch(Character::isISOControl)) {
      return Errors.definite(
          ErrorCode.INVALID_TRANSACTIONAL_ID,
          "transactional id '" + id + "' is invalid: use 1 to 249 printable characters");
    }
    return null;
  }

  private static Error errorOf(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof TransactionException e) {
      return e.error;
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return Errors.indeterminate(
          ErrorCode.REQUEST_TIMED_OUT, "the transaction's markers are still being written");
    }
    return Errors.indeterminate(ErrorCode.COORDINATOR_NOT_AVAILABLE, String.valueOf(cause));
  }

  private <T> CompletableFuture<T> serially(String id, Supplier<CompletableFuture<T>> task) {
    return queues.run(id, task);
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** A request refused with a protocol error. */
  private static final class TransactionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Error error;

    TransactionException(Error error) {
      super(error.getMessage(), null, false, false);
      this.error = error;
    }
  }
}
