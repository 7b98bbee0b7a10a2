package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.ConsumerGroupMetadata;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerFencedException;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.TransactionAbortedException;
import dev.quorum.client.UnknownPartitionException;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.AddToTransactionRequest;
import dev.quorum.protocol.v1.AddToTransactionResponse;
import dev.quorum.protocol.v1.CommitTransactionalOffsetsRequest;
import dev.quorum.protocol.v1.CommitTransactionalOffsetsResponse;
import dev.quorum.protocol.v1.EndTransactionRequest;
import dev.quorum.protocol.v1.EndTransactionResponse;
import dev.quorum.protocol.v1.InitTransactionsRequest;
import dev.quorum.protocol.v1.InitTransactionsResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's side of transactions: its transactional id's producer id and epoch, which
 * partitions the open transaction has registered with the coordinator, and the state machine of
 * init, begin, commit and abort. Calls run on the application's threads and block.
 */
final class TransactionManager {
  private static final Logger log = LoggerFactory.getLogger(TransactionManager.class);

  enum State {
    UNINITIALIZED,
    READY,
    IN_TRANSACTION,
    COMMITTING,
    ABORTING,
    /** A record of the transaction failed: only an abort may follow. */
    MUST_ABORT,
    /** Fenced by a newer producer with the same transactional id: nothing may follow. */
    FENCED
  }

  private final String transactionalId;
  private final ProducerConfig config;
  private final CoordinatorClient transactionCoordinators;
  private final CoordinatorClient groupCoordinators;
  private final MetadataCache metadata;
  private final ProducerSender sender;

  private State state = State.UNINITIALIZED;
  private long producerId;
  private int epoch;
  private BrokerException failure;
  // Set by the sender's thread, which must never wait for this object's monitor (an application
  // thread may hold it during a coordinator call); picked up by the next transactional call.
  private final AtomicReference<BrokerException> recordFailure = new AtomicReference<>();
  // Held shared from routing a record until the sender has it, and exclusively while a commit or
  // abort starts: no record can slip into a transaction after its flush began.
  private final ReadWriteLock sends = new ReentrantReadWriteLock();
  private final Set<TopicPartition> added = ConcurrentHashMap.newKeySet();
  // Unkeyed records of a transaction stick to one partition per topic, so they batch well.
  private final Map<String, Integer> stickyPartition = new HashMap<>();

  TransactionManager(
      ProducerConfig config,
      NodeConnections connections,
      MetadataCache metadata,
      List<String> bootstrap,
      ProducerSender sender) {
    this.transactionalId = config.transactionalId();
    this.config = config;
    this.metadata = metadata;
    this.sender = sender;
    this.transactionCoordinators =
        new CoordinatorClient(connections, metadata, bootstrap, config.requestTimeout(), true);
    this.groupCoordinators =
        new CoordinatorClient(connections, metadata, bootstrap, config.requestTimeout());
  }

  synchronized void initTransactions() {
    if (state != State.UNINITIALIZED) {
      throw new IllegalStateException("initTransactions() was already called");
    }
    InitTransactionsRequest request =
        InitTransactionsRequest.newBuilder()
            .setTransactionalId(transactionalId)
            .setTransactionTimeoutMs((int) config.transactionTimeout().toMillis())
            .build();
    InitTransactionsResponse response =
        transactionCoordinators.call(
            transactionalId,
            stub -> stub.initTransactions(request),
            InitTransactionsResponse::getError,
            deadline());
    producerId = response.getProducerId();
    epoch = response.getProducerEpoch();
    sender.useProducerId(producerId, epoch);
    state = State.READY;
    log.info("transactional id {}: producer id {} epoch {}", transactionalId, producerId, epoch);
  }

  synchronized void beginTransaction() {
    requireNotFenced();
    if (state != State.READY) {
      throw new IllegalStateException(
          state == State.UNINITIALIZED
              ? "call initTransactions() first"
              : "a transaction is already open (" + state + ")");
    }
    added.clear();
    stickyPartition.clear();
    failure = null;
    recordFailure.set(null);
    state = State.IN_TRANSACTION;
  }

  /**
   * Chooses the record's partition and registers it with the transaction before the record is
   * queued, so no transactional batch ever reaches a partition the coordinator would not mark.
   */
  synchronized ProducerRecord route(ProducerRecord record) {
    takeRecordFailure();
    requireNotFenced();
    if (state == State.MUST_ABORT) {
      throw new TransactionAbortedException(
          "the transaction must be aborted: " + failure.getMessage(), false, failure);
    }
    if (state != State.IN_TRANSACTION) {
      throw new IllegalStateException(
          "send() of a transactional producer needs beginTransaction()");
    }
    int count = partitionCount(record.topic());
    int partition;
    if (record.partition() != null) {
      if (record.partition() >= count) {
        throw new UnknownPartitionException(
            "topic "
                + record.topic()
                + " has "
                + count
                + " partitions; partition "
                + record.partition()
                + " does not exist");
      }
      partition = record.partition();
    } else if (record.key() != null) {
      partition = Murmur2.partition(record.key(), count);
    } else {
      partition =
          stickyPartition.computeIfAbsent(
              record.topic(), t -> ThreadLocalRandom.current().nextInt(count));
    }
    TopicPartition tp = new TopicPartition(record.topic(), partition);
    if (!added.contains(tp)) {
      add(
          AddToTransactionRequest.newBuilder()
              .addPartitions(
                  dev.quorum.protocol.v1.TopicPartitions.newBuilder()
                      .setTopic(tp.topic())
                      .addPartitions(tp.partition())));
      added.add(tp);
    }
    return record.partition() != null && record.partition() == partition
        ? record
        : record.withPartition(partition);
  }

  synchronized void sendOffsetsToTransaction(
      Map<TopicPartition, Long> offsets, ConsumerGroupMetadata group) {
    requireState(State.IN_TRANSACTION, "sendOffsetsToTransaction()");
    add(AddToTransactionRequest.newBuilder().setGroupId(group.groupId()));
    CommitTransactionalOffsetsRequest request =
        CommitTransactionalOffsetsRequest.newBuilder()
            .setGroupId(group.groupId())
            .setMemberId(group.memberId())
            .setMemberEpoch(group.memberEpoch())
            .setProducerId(producerId)
            .setProducerEpoch(epoch)
            .addAllOffsets(GroupWire.commits(offsets))
            .build();
    try {
      groupCoordinators.call(
          group.groupId(),
          stub -> stub.commitTransactionalOffsets(request),
          CommitTransactionalOffsetsResponse::getError,
          deadline());
    } catch (BrokerException e) {
      failed(e);
      throw e;
    }
  }

  /** Called with each failed record, on the sender's thread: never blocks. */
  void recordFailed(BrokerException error) {
    recordFailure.compareAndSet(null, error);
  }

  /** Held by {@code send} from {@link #route} until the record is queued. */
  Lock sendLock() {
    return sends.readLock();
  }

  /** Before the flush of a commit: no send may join the transaction from now on. */
  void startCommit() {
    sends.writeLock().lock();
    try {
      startCommitLocked();
    } finally {
      sends.writeLock().unlock();
    }
  }

  private synchronized void startCommitLocked() {
    takeRecordFailure();
    requireNotFenced();
    if (state == State.MUST_ABORT) {
      throw new TransactionAbortedException(
          "the transaction must be aborted: " + failure.getMessage(), false, failure);
    }
    if (state != State.IN_TRANSACTION && state != State.COMMITTING) {
      throw new IllegalStateException(
          "commitTransaction() needs an open transaction (" + state + ")");
    }
    state = State.COMMITTING;
  }

  /** After the flush of a commit: writes the commit through the coordinator. */
  synchronized void finishCommit() {
    takeRecordFailure();
    if (state == State.MUST_ABORT) {
      throw new TransactionAbortedException(
          "a record of the transaction failed, so it cannot commit: " + failure.getMessage(),
          false,
          failure);
    }
    end(true);
  }

  void startAbort() {
    sends.writeLock().lock();
    try {
      startAbortLocked();
    } finally {
      sends.writeLock().unlock();
    }
  }

  private synchronized void startAbortLocked() {
    requireNotFenced();
    if (state == State.UNINITIALIZED || state == State.READY) {
      throw new IllegalStateException(
          "abortTransaction() needs an open transaction (" + state + ")");
    }
    if (state == State.COMMITTING) {
      // The commit may have been decided already; only retrying it tells how it ended.
      throw new IllegalStateException(
          "a commit of this transaction is under way: call commitTransaction() again");
    }
    state = State.ABORTING;
  }

  synchronized void finishAbort() {
    end(false);
  }

  boolean inTransaction() {
    return state == State.IN_TRANSACTION;
  }

  private void end(boolean commit) {
    EndTransactionRequest request =
        EndTransactionRequest.newBuilder()
            .setTransactionalId(transactionalId)
            .setProducerId(producerId)
            .setProducerEpoch(epoch)
            .setCommit(commit)
            .build();
    EndTransactionResponse response;
    try {
      response =
          transactionCoordinators.call(
              transactionalId,
              stub -> stub.endTransaction(request),
              EndTransactionResponse::getError,
              deadline());
    } catch (BrokerException e) {
      if (e instanceof ProducerFencedException) {
        state = State.FENCED;
        failure = e;
      } else if (commit && e instanceof dev.quorum.client.InvalidTxnStateException) {
        failed(e);
        throw new TransactionAbortedException(e.getMessage(), false, e);
      }
      throw e;
    }
    epoch = response.getNextProducerEpoch();
    // Each transaction has its own epoch: the sender numbers the next one's batches afresh.
    sender.useProducerId(producerId, epoch);
    added.clear();
    state = State.READY;
  }

  private void add(AddToTransactionRequest.Builder request) {
    AddToTransactionRequest built =
        request
            .setTransactionalId(transactionalId)
            .setProducerId(producerId)
            .setProducerEpoch(epoch)
            .build();
    try {
      transactionCoordinators.call(
          transactionalId,
          stub -> stub.addToTransaction(built),
          AddToTransactionResponse::getError,
          deadline());
    } catch (BrokerException e) {
      failed(e);
      throw e;
    }
  }

  private void takeRecordFailure() {
    BrokerException e = recordFailure.getAndSet(null);
    if (e != null && (state == State.IN_TRANSACTION || state == State.COMMITTING)) {
      failed(e);
    }
  }

  private void failed(BrokerException error) {
    if (error instanceof ProducerFencedException) {
      state = State.FENCED;
      failure = error;
    } else if (state != State.FENCED) {
      state = State.MUST_ABORT;
      if (failure == null) {
        failure = error;
      }
    }
  }

  private int partitionCount(String topic) {
    int count = metadata.partitionCount(topic);
    if (count < 0) {
      try {
        metadata.refresh(List.of(topic)).join();
      } catch (RuntimeException e) {
        throw ErrorCodes.fromTransport(e, "cluster", false);
      }
      count = metadata.partitionCount(topic);
    }
    if (count <= 0) {
      throw new UnknownTopicException("topic " + topic + " does not exist");
    }
    return count;
  }

  private void requireState(State wanted, String operation) {
    requireNotFenced();
    if (state != wanted) {
      throw new IllegalStateException(operation + " needs state " + wanted + ", not " + state);
    }
  }

  private void requireNotFenced() {
    if (state == State.FENCED) {
      throw new ProducerFencedException(
          "transactional id " + transactionalId + " was fenced: " + failure.getMessage(),
          false,
          failure);
    }
  }

  private long deadline() {
    return System.nanoTime() + config.maxBlock().toNanos();
  }
}
