package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.BufferExhaustedException;
import dev.quorum.client.ConsumerGroupMetadata;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.RecordTooLargeException;
import dev.quorum.client.SourceOffsetUpdate;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The {@link Producer}: callers enqueue; a {@link ProducerSender} on its own thread batches, sends
 * and retries; results are handed to the single callback thread.
 */
public final class QuorumProducer implements Producer {
  static final String SENDER_THREAD = "quorum-producer-sender";
  static final String CALLBACK_THREAD = "quorum-producer-callback";

  private final ProducerConfig config;
  private final NodeConnections connections;
  private final Semaphore buffer;
  private final FlushTracker flushes = new FlushTracker();
  // Outcomes the sender has reported and not yet handed to the callback thread (sender thread).
  private List<Outcome> outcomes = new ArrayList<>();
  private final ExecutorService callbacks;
  private final ProducerSender sender;
  private final TransactionManager transactions;
  private final SourceOffsetWriter sourceOffsets;
  private final Thread senderThread;
  // Held shared by send() while it enqueues, exclusively by close() while it marks the producer
  // closed, so no record can slip into the queue after the sender decided to stop.
  private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private volatile boolean closed;
  private volatile Thread callbackThread;

  public static QuorumProducer create(ProducerConfig config) {
    return new QuorumProducer(config, NodeConnections.plaintext());
  }

  QuorumProducer(ProducerConfig config, NodeConnections connections) {
    this.config = config;
    this.connections = connections;
    // Fair, so that a large record waiting for space is not overtaken forever by small ones.
    this.buffer = new Semaphore(config.bufferMemory(), true);
    this.callbacks =
        Executors.newSingleThreadExecutor(
            r ->
                ClientThreads.named(CALLBACK_THREAD)
                    .newThread(
                        () -> {
                          callbackThread = Thread.currentThread();
                          r.run();
                        }));
    MetadataCache metadata =
        new MetadataCache(
            connections,
            Addresses.parse("bootstrap", config.bootstrap()),
            min(config.requestTimeout(), Duration.ofSeconds(10)));
    this.sender =
        new ProducerSender(
            config,
            connections,
            metadata,
            new ProducerSender.Completion() {
              @Override
              public void complete(PendingRecord p, RecordMetadata m, BrokerException error) {
                QuorumProducer.this.complete(p, m, error);
              }

              @Override
              public void handOver() {
                QuorumProducer.this.handOver();
              }
            });
    this.transactions =
        config.transactionalId() == null
            ? null
            : new TransactionManager(
                config,
                connections,
                metadata,
                Addresses.parse("bootstrap", config.bootstrap()),
                sender);
    this.sourceOffsets =
        new SourceOffsetWriter(
            new LeaderCalls(connections, metadata, config.requestTimeout()),
            config.deliveryTimeout(),
            config.requestTimeout());
    this.senderThread = ClientThreads.named(SENDER_THREAD).newThread(sender);
    senderThread.start();
  }

  /** How many times queueing a record woke the sender thread (for tests). */
  long appendWakeUps() {
    return sender.appendWakeUps();
  }

  @Override
  public RecordMetadata sendWithOffsets(
      TopicPartition output,
      List<ProducerRecord> records,
      String owner,
      Map<TopicPartition, SourceOffsetUpdate> offsets) {
    if (closed) {
      throw new IllegalStateException("producer is closed");
    }
    if (transactions != null && transactions.inTransaction()) {
      // Its records would not be part of the transaction, so an abort would not remove them.
      throw new IllegalStateException("sendWithOffsets cannot be used inside a transaction");
    }
    return sourceOffsets.send(output, records, owner, offsets);
  }

  @Override
  public Map<TopicPartition, Long> sourceOffsets(TopicPartition output, String owner) {
    return sourceOffsets.stored(output, owner);
  }

  @Override
  public CompletableFuture<RecordMetadata> send(ProducerRecord record) {
    Objects.requireNonNull(record, "record");
    if (closed) {
      throw new IllegalStateException("producer is closed");
    }
    Record wire = WireRecords.toWire(record);
    int cost = PendingRecord.bufferCost(wire);
    if (cost > config.bufferMemory()) {
      return CompletableFuture.failedFuture(
          new RecordTooLargeException(
              "the record takes "
                  + cost
                  + " bytes of buffer, more than bufferMemory ("
                  + config.bufferMemory()
                  + " bytes) holds",
              false));
    }
    try {
      if (!buffer.tryAcquire(cost, config.maxBlock().toNanos(), TimeUnit.NANOSECONDS)) {
        return CompletableFuture.failedFuture(
            new BufferExhaustedException(
                "pending records filled bufferMemory ("
                    + config.bufferMemory()
                    + " bytes) for longer than maxBlock "
                    + config.maxBlock()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(
          new BufferExhaustedException("interrupted while waiting for buffer space", false, e));
    }
    if (transactions == null) {
      return enqueue(record, wire, cost);
    }
    // From routing to the queue under the send lock, so a commit's flush covers the record.
    transactions.sendLock().lock();
    try {
      ProducerRecord routed;
      try {
        routed = transactions.route(record);
      } catch (RuntimeException e) {
        buffer.release(cost);
        if (e instanceof BrokerException be) {
          return CompletableFuture.failedFuture(be);
        }
        throw e;
      }
      return enqueue(routed, wire, cost);
    } finally {
      transactions.sendLock().unlock();
    }
  }

  /** Hands the record to the sender; the caller holds {@code cost} bytes of buffer. */
  private CompletableFuture<RecordMetadata> enqueue(ProducerRecord record, Record wire, int cost) {
    CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    PendingRecord p = new PendingRecord(record, wire, System.nanoTime(), future);
    closeLock.readLock().lock();
    try {
      if (closed) {
        buffer.release(cost);
        throw new IllegalStateException("producer is closed");
      }
      p.flushGeneration = flushes.sent();
      sender.append(p);
    } finally {
      closeLock.readLock().unlock();
    }
    return future;
  }

  private record Outcome(PendingRecord record, RecordMetadata metadata, BrokerException error) {
    void deliver() {
      if (error != null) {
        record.future.completeExceptionally(error);
      } else {
        record.future.complete(metadata);
      }
      record.flushGeneration.done();
    }
  }

  /** Called on the sender thread with each record's outcome; {@link #handOver} passes them on. */
  private void complete(PendingRecord p, RecordMetadata metadata, BrokerException error) {
    if (error != null && transactions != null) {
      transactions.recordFailed(error);
    }
    outcomes.add(new Outcome(p, metadata, error));
  }

  /**
   * Called on the sender thread at the end of each of its rounds: frees the buffer space and wakes
   * the callback thread once for all the outcomes of the round, not once per record.
   */
  private void handOver() {
    if (outcomes.isEmpty()) {
      return;
    }
    List<Outcome> round = outcomes;
    outcomes = new ArrayList<>();
    int freed = 0;
    for (Outcome o : round) {
      freed += o.record.bufferCost;
    }
    buffer.release(freed);
    try {
      callbacks.execute(() -> round.forEach(Outcome::deliver));
    } catch (RejectedExecutionException e) {
      // Closed while the sender still reports (it outlived close's wait): nobody else will.
      round.forEach(Outcome::deliver);
    }
  }

  @Override
  public void flush() {
    if (Thread.currentThread() == callbackThread) {
      throw new IllegalStateException("flush() must not be called from a send callback");
    }
    CompletableFuture<Void> sentBefore = flushes.close();
    sender.flushStarted();
    try {
      sentBefore.join();
    } finally {
      sender.flushEnded();
    }
  }

  @Override
  public void initTransactions() {
    transactions("initTransactions").initTransactions();
  }

  @Override
  public void beginTransaction() {
    transactions("beginTransaction").beginTransaction();
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, Long> offsets, ConsumerGroupMetadata group) {
    Objects.requireNonNull(offsets, "offsets");
    Objects.requireNonNull(group, "group");
    transactions("sendOffsetsToTransaction").sendOffsetsToTransaction(offsets, group);
  }

  @Override
  public void commitTransaction() {
    TransactionManager t = transactions("commitTransaction");
    t.startCommit();
    flush();
    t.finishCommit();
  }

  @Override
  public void abortTransaction() {
    TransactionManager t = transactions("abortTransaction");
    t.startAbort();
    flush();
    t.finishAbort();
  }

  private TransactionManager transactions(String operation) {
    if (transactions == null) {
      throw new IllegalStateException(operation + "() needs ProducerConfig.transactionalId");
    }
    if (closed) {
      throw new IllegalStateException("producer is closed");
    }
    return transactions;
  }

  @Override
  public void close() {
    close(Duration.ofDays(365));
  }

  @Override
  public void close(Duration timeout) {
    boolean onCallbackThread = Thread.currentThread() == callbackThread;
    closeLock.writeLock().lock();
    try {
      closed = true;
    } finally {
      closeLock.writeLock().unlock();
    }
    if (!closeStarted.compareAndSet(false, true)) {
      joinQuietly(senderThread, timeout);
      return;
    }
    // Waiting on the callback thread would deadlock: pending futures complete there.
    Duration wait = onCallbackThread ? Duration.ZERO : timeout;
    sender.closeGracefully();
    if (!joinQuietly(senderThread, wait)) {
      sender.closeNow();
      joinQuietly(senderThread, Duration.ofSeconds(5));
    }
    connections.close(Duration.ofSeconds(1));
    callbacks.shutdown();
    if (!onCallbackThread) {
      try {
        callbacks.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean joinQuietly(Thread t, Duration timeout) {
    try {
      long millis = timeout.toMillis();
      if (millis <= 0) {
        return !t.isAlive();
      }
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ArithmeticException e) {
      try {
        t.join();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    return !t.isAlive();
  }

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
