package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.BrokerUnavailableException;
import dev.quorum.client.InternalBrokerException;
import dev.quorum.client.LeaderNotAvailableException;
import dev.quorum.client.NotLeaderException;
import dev.quorum.client.OutOfOrderSequenceException;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerFencedException;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownPartitionException;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.InitProducerIdRequest;
import dev.quorum.protocol.v1.InitProducerIdResponse;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.PartitionProduceResult;
import dev.quorum.protocol.v1.ProduceRequest;
import dev.quorum.protocol.v1.ProduceResponse;
import dev.quorum.protocol.v1.TopicMetadata;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's I/O loop. All batching state is confined to the sender thread; other threads
 * (callers, gRPC callbacks) only post events to {@link #events}, so none of it needs locking.
 *
 * <p>Idempotence: before draining a batch the sender needs a producer id (InitProducerId, asked
 * asynchronously of any known node). Each partition numbers the records it drains under that id
 * from 0; a batch keeps its id, epoch and base sequence across retries. Whenever a partition's
 * numbering can no longer be trusted (OUT_OF_ORDER_SEQUENCE, or a batch that failed after it may
 * have been appended), the producer id is dropped and a fresh one is obtained before the next batch
 * is drained; each partition then starts again at 0 with its next batch. Batches already drained
 * finish under the id they were drained with.
 *
 * <p>Pipelining: up to {@link ProducerConfig#maxInFlight()} batches of a partition are
 * unacknowledged at once. Order holds because the partition appends a producer's batch only at the
 * next sequence (it answers OUT_OF_ORDER_SEQUENCE otherwise), so a later batch can never land
 * before an earlier one; an OUT_OF_ORDER answer while an earlier batch is still unanswered or
 * retrying just means "resend after it". Once a batch of a partition fails retriably, no new batch
 * of the partition is sent, and the failed batches are resent in sequence order only after every
 * attempt in flight has answered. A partition accepts any first sequence from a producer it does
 * not know, so a partition's first batch under a producer id or epoch goes alone. Callbacks of a
 * partition complete in sequence order even when answers arrive out of order.
 */
final class ProducerSender implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ProducerSender.class);
  private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

  /**
   * How long a record waits for a topic the metadata calls unknown, in case the answering node is
   * behind on a topic created a moment ago (Kafka's producer waits up to max.block.ms; a typo in a
   * topic name should not take a minute to report).
   */
  private static final long UNKNOWN_TOPIC_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  /**
   * The longest wait between retries while a partition's leader is gone or moving (its node is
   * unreachable, or answers NOT_LEADER / LEADER_NOT_AVAILABLE). A new leader is usually elected
   * within about a second; backing off up to {@link #MAX_BACKOFF} there made the producer find it
   * up to a second late (retries at 0.1, 0.3, 0.7, 1.5, 2.5 s after the failure). Such a retry is
   * cheap: a refused connection or a NOT_LEADER answer.
   */
  private static final Duration LEADER_CHANGE_MAX_BACKOFF = Duration.ofMillis(200);

  /**
   * A partition forgets a producer silent for 7 days of append time, and then takes any first
   * sequence from it: after a day without an acknowledgement, a partition's next batch goes alone.
   */
  private static final long KNOWN_FOR_NANOS = TimeUnit.DAYS.toNanos(1);

  /** Receives each record's outcome on the sender thread. */
  interface Completion {
    void complete(PendingRecord record, RecordMetadata metadata, BrokerException error);

    /** Called at the end of every round of the sender's loop: pass on what it reported. */
    void handOver();
  }

  private final ProducerConfig config;
  private final NodeConnections connections;
  private final MetadataCache metadata;
  private final Completion completion;
  private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
  private final SenderWakeup wakeup = new SenderWakeup();
  private final LongAdder appendWakeUps = new LongAdder();
  // Set when the loop starts, which first looks at every queued event: those need no wake-up.
  private volatile Thread thread;
  private final AtomicInteger flushes = new AtomicInteger();
  private final long lingerNanos;
  private final long deliveryTimeoutNanos;
  private final boolean idempotent;
  // Transactional: the producer id and each epoch come from the transaction coordinator.
  private final boolean transactional;
  private volatile boolean closing;
  private volatile boolean closeNow;

  // Sender-thread state.
  private final Map<String, List<PendingRecord>> awaitingMetadata = new LinkedHashMap<>();
  private final Map<TopicPartition, PartitionQueue> queues = new LinkedHashMap<>();
  private final Map<String, Integer> stickyPartition = new HashMap<>();
  private final Set<String> metadataWanted = new HashSet<>();
  private boolean metadataInFlight;
  private long nextMetadataNanos;
  private BrokerException lastMetadataError;
  // Idempotence. producerId 0: none yet, or dropped so that a fresh one is obtained.
  private long producerId;
  private int producerEpoch;
  private boolean producerIdInFlight;
  private long nextProducerIdNanos;
  private int producerIdAttempts;
  private BrokerException lastProducerIdError;
  // Set once a partition answered PRODUCER_FENCED: the producer is dead from then on.
  private ProducerFencedException fenced;

  ProducerSender(
      ProducerConfig config,
      NodeConnections connections,
      MetadataCache metadata,
      Completion completion) {
    this.config = config;
    this.connections = connections;
    this.metadata = metadata;
    this.completion = completion;
    this.lingerNanos = config.linger().toNanos();
    this.deliveryTimeoutNanos = config.deliveryTimeout().toNanos();
    this.idempotent = config.enableIdempotence();
    this.transactional = config.transactionalId() != null;
  }

  /**
   * Records of one partition waiting to be batched, plus its drained batches that are not completed
   * yet (in flight, waiting for a retry, or acknowledged but behind an earlier unacknowledged one).
   */
  private static final class PartitionQueue {
    final TopicPartition partition;
    final ArrayDeque<PendingRecord> records = new ArrayDeque<>();
    long queuedBytes;
    // In sequence (drain) order.
    final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>();
    // The producer id and epoch nextSequence counts under; another id restarts the count at 0.
    long sequenceProducerId;
    int sequenceEpoch;
    int nextSequence;
    // Whether the partition acknowledged a batch numbered under sequenceProducerId/Epoch, so that
    // it
    // knows the producer and checks its sequences.
    boolean acknowledgedUnderSequence;
    long lastAcknowledgedNanos;

    /** Whether a batch waits to be resent: nothing new goes until it is acknowledged. */
    boolean retrying() {
      for (ProducerBatch b : batches) {
        if (b.waitingForRetry()) {
          return true;
        }
      }
      return false;
    }

    boolean anyInFlight() {
      for (ProducerBatch b : batches) {
        if (b.inFlight) {
          return true;
        }
      }
      return false;
    }

    PartitionQueue(TopicPartition partition) {
      this.partition = partition;
    }
  }

  /**
   * Numbers later batches under this producer id and epoch (a transactional producer gets them from
   * its coordinator, a new epoch per transaction).
   */
  void useProducerId(long producerId, int epoch) {
    post(
        () -> {
          this.producerId = producerId;
          this.producerEpoch = epoch;
        });
  }

  /** Queues a record; wakes the sender only if it would otherwise send the record late. */
  void append(PendingRecord record) {
    events.add(() -> onAppend(record));
    // The linger counted from now, not from the record's creation: the sender may have read its
    // clock (and parked until a linger after it) while this record was on its way here, and must
    // not be woken for every record that was (see park).
    if (wakeup.mustWake(System.nanoTime() + lingerNanos, record.size)) {
      appendWakeUps.increment();
      wakeUp();
    }
  }

  /** How many times queueing a record woke the sender (for tests). */
  long appendWakeUps() {
    return appendWakeUps.sum();
  }

  /** Queues an event that the sender handles at once. */
  private void post(Runnable event) {
    events.add(event);
    wakeUp();
  }

  void flushStarted() {
    flushes.incrementAndGet();
    wakeUp();
  }

  void flushEnded() {
    flushes.decrementAndGet();
  }

  /** Sends everything still queued, then stops. */
  void closeGracefully() {
    closing = true;
    wakeUp();
  }

  /** Fails everything still pending and stops. */
  void closeNow() {
    closeNow = true;
    wakeUp();
  }

  private void wakeUp() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    while (true) {
      try {
        if (closeNow) {
          failEverything();
          return;
        }
        long now = System.nanoTime();
        expire(now);
        maybeRefreshMetadata(now);
        maybeInitProducerId(now);
        sendReady(now);
        if (closing && idle()) {
          return;
        }
        completion.handOver(); // before waiting: what expired or failed above must not wait too
        sleep(System.nanoTime());
        for (Runnable event = events.poll(); event != null; event = events.poll()) {
          event.run();
        }
      } catch (RuntimeException e) {
        // Never let the thread die: every pending future would hang forever.
        log.error("unexpected error in the producer sender", e);
      } finally {
        completion.handOver();
      }
    }
  }

  /** Parks until the next deadline or a wake-up (see {@link SenderWakeup}). */
  private void sleep(long now) {
    Park park = park(now);
    if (park.waitNanos() == 0) {
      return;
    }
    wakeup.parking(now + park.waitNanos(), park.roomBytes());
    if (events.isEmpty()) {
      LockSupport.parkNanos(this, park.waitNanos());
    }
    wakeup.awake();
    if (Thread.interrupted()) {
      closeNow = true;
    }
  }

  private boolean idle() {
    if (!events.isEmpty() || !awaitingMetadata.isEmpty()) {
      return false;
    }
    for (PartitionQueue q : queues.values()) {
      if (!q.records.isEmpty() || !q.batches.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * How long the loop may park, and how many more bytes would fill the fullest batch of a partition
   * that may send now (only such a batch filling up is worth a wake-up).
   */
  private record Park(long waitNanos, long roomBytes) {}

  private Park park(long now) {
    long next = now + MAX_IDLE_NANOS;
    boolean blocked = false;
    long fullest = 0;
    for (PartitionQueue q : queues.values()) {
      // What the partition waits for when it cannot send (a leader, a producer id) arrives as an
      // event, which wakes the loop; until then only expiry is due. Counting the send time would
      // spin the loop.
      // An answer in flight arrives as an event too.
      if (q.retrying()) {
        boolean resendable = !q.anyInFlight();
        for (ProducerBatch b : q.batches) {
          if (b.waitingForRetry()) {
            if (resendable && (b.retryAtNanos > now || leaderKnown(q))) {
              next = Math.min(next, b.retryAtNanos);
            }
            next = Math.min(next, b.deadlineNanos);
          }
        }
        blocked |= !q.records.isEmpty();
      } else if (!q.records.isEmpty() && mayDrain(q)) {
        fullest = Math.max(fullest, q.queuedBytes);
        PendingRecord head = q.records.peekFirst();
        long sendAt = head.createdNanos + lingerNanos;
        if (sendAt > now || (leaderKnown(q) && !needsProducerId())) {
          next = Math.min(next, sendAt);
        }
      } else if (!q.records.isEmpty()) {
        blocked = true;
      }
      if (!q.records.isEmpty()) {
        next = Math.min(next, q.records.peekFirst().createdNanos + deliveryTimeoutNanos);
      }
    }
    // Records that cannot go yet (their partition has its most batches in flight, or waits for a
    // retry) leave the loop nothing to wake for but an answer, which wakes it anyway. Parked until
    // then, every record queued meanwhile would be due first and wake it, one futex call per
    // record just when the cluster is slowest. Waking by itself within a linger instead, every new
    // record is due after that wake-up, and the ones that can go still go on time.
    if (blocked && lingerNanos > 0) {
      next = Math.min(next, now + lingerNanos);
    }
    if (!metadataWanted.isEmpty() && !metadataInFlight) {
      next = Math.min(next, nextMetadataNanos);
    }
    if (needsProducerId() && !producerIdInFlight && anyQueued()) {
      next = Math.min(next, nextProducerIdNanos);
    }
    return new Park(Math.max(0, next - now), config.batchSize() - fullest);
  }

  // ---- enqueueing and partition choice

  private void onAppend(PendingRecord p) {
    if (fenced != null) {
      fail(p, fencedError(false));
      return;
    }
    String topic = p.record.topic();
    List<PendingRecord> waiting = awaitingMetadata.get(topic);
    int count = metadata.partitionCount(topic);
    if (waiting != null || count < 0) {
      // Keep behind earlier records of the topic that are still waiting, to preserve send order.
      awaitingMetadata.computeIfAbsent(topic, t -> new ArrayList<>()).add(p);
      metadataWanted.add(topic);
      return;
    }
    enqueue(p, count);
  }

  private void enqueue(PendingRecord p, int partitionCount) {
    Integer explicit = p.record.partition();
    int partition;
    if (explicit != null) {
      if (explicit >= partitionCount) {
        fail(
            p,
            new UnknownPartitionException(
                "topic "
                    + p.record.topic()
                    + " has "
                    + partitionCount
                    + " partitions; partition "
                    + explicit
                    + " does not exist"));
        return;
      }
      partition = explicit;
    } else if (p.record.key() != null) {
      partition = Murmur2.partition(p.record.key(), partitionCount);
    } else {
      partition =
          stickyPartition.computeIfAbsent(
              p.record.topic(), t -> Math.floorMod(System.nanoTime(), partitionCount));
    }
    p.partition = new TopicPartition(p.record.topic(), partition);
    PartitionQueue q = queues.computeIfAbsent(p.partition, PartitionQueue::new);
    q.records.addLast(p);
    q.queuedBytes += p.size;
  }

  // ---- sending

  private boolean ready(PartitionQueue q, long now) {
    return closing
        || flushes.get() > 0
        || q.queuedBytes >= config.batchSize()
        || now - q.records.peekFirst().createdNanos >= lingerNanos;
  }

  private void sendReady(long now) {
    Map<Integer, List<ProducerBatch>> byNode = new LinkedHashMap<>();
    for (PartitionQueue q : queues.values()) {
      if (q.retrying()) {
        resend(q, now, byNode);
        continue;
      }
      while (!q.records.isEmpty() && mayDrain(q) && ready(q, now)) {
        if (idempotent && !transactional && !sequencesLeft(q)) {
          // Rather than wrap the sequence, number the partition afresh under a new producer id.
          producerId = 0;
        }
        if (needsProducerId() || !mayDrain(q)) {
          break;
        }
        Integer leader = metadata.leader(q.partition);
        if (leader == null || metadata.addressOf(leader) == null) {
          metadataWanted.add(q.partition.topic());
          break;
        }
        ProducerBatch batch = drain(q);
        batch.earlierUnacknowledgedAtSend = !q.batches.isEmpty();
        q.batches.addLast(batch);
        batch.inFlight = true;
        batch.attempts++;
        byNode.computeIfAbsent(leader, n -> new ArrayList<>()).add(batch);
      }
    }
    byNode.forEach(this::sendTo);
  }

  /**
   * Resends a partition's failed batches, in sequence order in one request, once no attempt of the
   * partition is in flight any more: an attempt still in flight could otherwise be the one that
   * lands, and its answer decides what needs resending.
   */
  private void resend(PartitionQueue q, long now, Map<Integer, List<ProducerBatch>> byNode) {
    if (q.anyInFlight()) {
      return;
    }
    Integer leader = metadata.leader(q.partition);
    if (leader == null || metadata.addressOf(leader) == null) {
      metadataWanted.add(q.partition.topic());
      return;
    }
    for (ProducerBatch b : q.batches) {
      if (!b.waitingForRetry()) {
        continue; // acknowledged, waiting for an earlier batch to complete first
      }
      if (b.retryAtNanos > now) {
        break; // never let a later batch go ahead of one still backing off
      }
      b.earlierUnacknowledgedAtSend = earlierUnacknowledged(b);
      b.inFlight = true;
      b.attempts++;
      byNode.computeIfAbsent(leader, n -> new ArrayList<>()).add(b);
    }
  }

  /** Whether another batch of the partition may be drained and sent now. */
  private boolean mayDrain(PartitionQueue q) {
    if (q.batches.isEmpty()) {
      return true;
    }
    if (q.batches.size() >= config.maxInFlight()) {
      return false;
    }
    if (!idempotent) {
      return true;
    }
    ProducerBatch last = q.batches.peekLast();
    if (last.producerId != producerId || last.producerEpoch != producerEpoch) {
      // The partition's numbering restarts under the new id: the old id's batches finish first.
      return false;
    }
    // A partition takes any first sequence from a producer it does not know, so until it has
    // acknowledged one batch under this id it could append a later batch before an earlier one.
    return q.acknowledgedUnderSequence
        && System.nanoTime() - q.lastAcknowledgedNanos < KNOWN_FOR_NANOS;
  }

  private ProducerBatch drain(PartitionQueue q) {
    List<PendingRecord> records = new ArrayList<>();
    long bytes = 0;
    while (!q.records.isEmpty()) {
      PendingRecord next = q.records.peekFirst();
      // A record bigger than batchSize alone still goes, alone; the broker judges its size.
      if (!records.isEmpty() && bytes + next.size > config.batchSize()) {
        break;
      }
      q.records.pollFirst();
      records.add(next);
      bytes += next.size;
    }
    q.queuedBytes -= bytes;
    // Sticky partitioning: unkeyed records move on to another partition once a batch closes.
    String topic = q.partition.topic();
    Integer sticky = stickyPartition.get(topic);
    int count = metadata.partitionCount(topic);
    if (sticky != null && sticky == q.partition.partition() && count > 0) {
      stickyPartition.put(topic, (sticky + 1) % count);
    }
    if (!idempotent) {
      return new ProducerBatch(q.partition, records, deliveryTimeoutNanos, 0, 0, 0);
    }
    if (q.sequenceProducerId != producerId || q.sequenceEpoch != producerEpoch) {
      q.sequenceProducerId = producerId;
      q.sequenceEpoch = producerEpoch;
      q.nextSequence = 0;
      q.acknowledgedUnderSequence = false;
    }
    int baseSequence = q.nextSequence;
    q.nextSequence += records.size();
    return new ProducerBatch(
        q.partition, records, deliveryTimeoutNanos, producerId, producerEpoch, baseSequence);
  }

  /** Whether each record queued for the partition can still get a sequence under the current id. */
  private boolean sequencesLeft(PartitionQueue q) {
    boolean counting = q.sequenceProducerId == producerId && q.sequenceEpoch == producerEpoch;
    return !counting || q.nextSequence <= Integer.MAX_VALUE - q.records.size();
  }

  private boolean leaderKnown(PartitionQueue q) {
    Integer leader = metadata.leader(q.partition);
    return leader != null && metadata.addressOf(leader) != null;
  }

  private void sendTo(int nodeId, List<ProducerBatch> batches) {
    String address = metadata.addressOf(nodeId);
    batches.forEach(b -> b.sentTo = nodeId);
    ProduceRequest.Builder request =
        ProduceRequest.newBuilder().setTimeoutMs((int) config.requestTimeout().toMillis());
    for (ProducerBatch b : batches) {
      PartitionProduce.Builder pp =
          PartitionProduce.newBuilder()
              .setTopic(b.partition.topic())
              .setPartition(b.partition.partition())
              .setProducerId(b.producerId)
              .setProducerEpoch(b.producerEpoch)
              .setBaseSequence(b.baseSequence)
              .setTransactional(transactional);
      b.records.forEach(r -> pp.addRecords(r.wire));
      request.addPartitions(pp);
    }
    // Leave the node time to answer REQUEST_TIMED_OUT itself before the transport gives up.
    long deadlineMs =
        config.requestTimeout().toMillis() + Math.min(config.requestTimeout().toMillis(), 2000);
    try {
      Rpc.toCompletable(
              connections
                  .stub(address)
                  .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                  .produce(request.build()))
          .whenComplete(
              (response, failure) ->
                  post(() -> onProduceResult(address, batches, response, failure)));
    } catch (RuntimeException e) {
      post(() -> onProduceResult(address, batches, null, e));
    }
  }

  private void onProduceResult(
      String address, List<ProducerBatch> batches, ProduceResponse response, Throwable failure) {
    if (failure != null) {
      BrokerException error = ErrorCodes.fromTransport(failure, address, true);
      for (ProducerBatch b : batches) {
        if (b.done()) {
          continue;
        }
        if (ErrorCodes.isRetriable(error)) {
          metadataWanted.add(b.partition.topic());
          retryOrFail(b, error);
        } else {
          finish(b, error);
        }
      }
      return;
    }
    // The node answers the request's partitions in order; one partition may appear several times.
    List<PartitionProduceResult> results = response.getPartitionsList();
    for (int i = 0; i < batches.size(); i++) {
      ProducerBatch b = batches.get(i);
      PartitionProduceResult r = i < results.size() ? results.get(i) : null;
      if (r != null
          && (!r.getTopic().equals(b.partition.topic())
              || r.getPartition() != b.partition.partition())) {
        r = null;
      }
      if (b.done()) {
        continue; // finished meanwhile (fenced, topic deleted)
      }
      if (r == null) {
        finish(
            b,
            new InternalBrokerException(
                "node " + address + " did not answer for partition " + b.partition, true));
      } else if (!r.hasError() || r.getError().getCode() == ErrorCode.NONE) {
        // A duplicate carries the original offsets, so it completes like a first append.
        if (r.getDuplicate()) {
          log.debug("{} base sequence {} was already appended", b.partition, b.baseSequence);
        }
        succeed(b, r);
      } else if (r.getError().getCode() == ErrorCode.PRODUCER_FENCED) {
        ProducerFencedException e = (ProducerFencedException) ErrorCodes.toException(r.getError());
        finish(b, e);
        fence(e);
      } else if (r.getError().getCode() == ErrorCode.OUT_OF_ORDER_SEQUENCE) {
        if (b.earlierUnacknowledgedAtSend || earlierUnacknowledged(b)) {
          // An earlier batch has not landed (yet): this one goes again after it, nothing is lost.
          retryAfterEarlier(b, ErrorCodes.toException(r.getError()));
        } else {
          outOfOrder(b, ErrorCodes.toException(r.getError()));
        }
      } else if (ErrorCodes.isRetriable(r.getError().getCode())) {
        if (r.getError().getCode() == ErrorCode.NOT_LEADER) {
          if (!metadata.leaderMoved(b.partition, r.getError().getLeaderHint())) {
            metadataWanted.add(b.partition.topic());
          }
        } else {
          if (r.getError().getCode() == ErrorCode.LEADER_NOT_AVAILABLE) {
            metadata.forgetLeader(b.partition);
          }
          metadataWanted.add(b.partition.topic());
        }
        retryOrFail(b, ErrorCodes.toException(r.getError()));
      } else {
        finish(b, ErrorCodes.toException(r.getError()));
      }
    }
  }

  /** Whether a batch drained before {@code b} for its partition is not acknowledged yet. */
  private boolean earlierUnacknowledged(ProducerBatch b) {
    for (ProducerBatch earlier : queues.get(b.partition).batches) {
      if (earlier == b) {
        return false;
      }
      if (earlier.result == null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Resends {@code b} as soon as the batches before it are settled; its own answer was definite.
   */
  private void retryAfterEarlier(ProducerBatch b, BrokerException error) {
    b.inFlight = false;
    b.lastError = error;
    if (fenced != null || closeNow || System.nanoTime() >= b.deadlineNanos) {
      finish(b, fenced != null ? fencedError(b.indeterminate) : finalError(b));
    } else {
      b.retryAtNanos = 0;
    }
  }

  private void retryOrFail(ProducerBatch b, BrokerException error) {
    b.inFlight = false;
    b.indeterminate |= error.indeterminate();
    b.lastError = error;
    if (fenced != null) {
      finish(b, fencedError(b.indeterminate));
      return;
    }
    long now = System.nanoTime();
    boolean leaderChange =
        error instanceof NotLeaderException
            || error instanceof LeaderNotAvailableException
            || error instanceof BrokerUnavailableException;
    Duration max =
        leaderChange && LEADER_CHANGE_MAX_BACKOFF.compareTo(config.retryBackoff()) > 0
            ? LEADER_CHANGE_MAX_BACKOFF
            : MAX_BACKOFF;
    long backoff =
        goesToNewLeaderNow(b) ? 0 : Backoff.nanos(config.retryBackoff(), max, b.attempts - 1);
    if (closeNow || now + backoff >= b.deadlineNanos) {
      finish(b, finalError(b));
    } else {
      b.retryAtNanos = now + backoff;
      log.debug(
          "{}: retrying in {} ms after: {}",
          b.partition,
          TimeUnit.NANOSECONDS.toMillis(backoff),
          error.getMessage());
    }
  }

  /**
   * Whether a failed batch may skip its backoff because its partition now has a leader other than
   * the node that failed it: that is news (an election, a hint), not the same failure again. Once
   * per batch, so two nodes naming each other cannot make it bounce without a pause.
   */
  private boolean goesToNewLeaderNow(ProducerBatch b) {
    Integer leader = metadata.leader(b.partition);
    if (b.resentToNewLeader || leader == null || leader == b.sentTo) {
      return false;
    }
    b.resentToNewLeader = true;
    return true;
  }

  /** The error a batch that ran out of time fails with: the last one, indeterminate if any was. */
  private static BrokerException finalError(ProducerBatch b) {
    BrokerException last = b.lastError;
    String message =
        last.getMessage() + " (gave up after " + b.attempts + " attempt(s) to " + b.partition + ")";
    boolean ind = b.indeterminate;
    if (last instanceof NotLeaderException) {
      return new NotLeaderException(message, ind, last);
    } else if (last instanceof LeaderNotAvailableException) {
      return new LeaderNotAvailableException(message, ind, last);
    } else if (last instanceof RequestTimeoutException) {
      return new RequestTimeoutException(message, ind, last);
    } else if (last instanceof BrokerUnavailableException) {
      return new BrokerUnavailableException(message, ind, last);
    }
    return new BrokerException(message, ind, last);
  }

  /** Marks {@code b} acknowledged; its records complete once every earlier batch has completed. */
  private void succeed(ProducerBatch b, PartitionProduceResult r) {
    PartitionQueue q = queues.get(b.partition);
    b.inFlight = false;
    b.result = r;
    if (b.producerId != 0
        && b.producerId == q.sequenceProducerId
        && b.producerEpoch == q.sequenceEpoch) {
      q.acknowledgedUnderSequence = true;
      q.lastAcknowledgedNanos = System.nanoTime();
    }
    completeAcknowledged(q);
  }

  /** Completes the acknowledged batches at the head of the partition, in sequence order. */
  private void completeAcknowledged(PartitionQueue q) {
    while (!q.batches.isEmpty() && q.batches.peekFirst().result != null) {
      complete(q.batches.pollFirst());
    }
  }

  private void complete(ProducerBatch b) {
    PartitionProduceResult r = b.result;
    b.finished = true;
    for (int i = 0; i < b.records.size(); i++) {
      PendingRecord p = b.records.get(i);
      long timestamp = p.record.timestamp() != 0 ? p.record.timestamp() : r.getAppendTimeMs();
      completion.complete(
          p,
          new RecordMetadata(
              b.partition.topic(), b.partition.partition(), r.getBaseOffset() + i, timestamp),
          null);
    }
  }

  private void finish(ProducerBatch b, BrokerException error) {
    PartitionQueue q = queues.get(b.partition);
    q.batches.remove(b);
    b.inFlight = false;
    b.finished = true;
    // An earlier attempt (a lost connection, a timeout) may have written what the last one refused.
    BrokerException reported =
        b.indeterminate && !error.indeterminate() ? ErrorCodes.mayHaveBeenWritten(error) : error;
    b.records.forEach(p -> fail(p, reported));
    if (b.producerId != 0) {
      sequenceAfterFailure(q, b, reported.indeterminate());
    }
    completeAcknowledged(q);
  }

  /** Keeps the partition's numbering right after a batch with a sequence failed. */
  private void sequenceAfterFailure(PartitionQueue q, ProducerBatch b, boolean maybeWritten) {
    if (q.sequenceProducerId != b.producerId || q.sequenceEpoch != b.producerEpoch) {
      return;
    }
    boolean lastNumbered = q.nextSequence == b.baseSequence + b.records.size();
    if (!maybeWritten && lastNumbered) {
      // Certainly not appended and nothing numbered after it: the partition still expects this
      // sequence, so the next batch takes it.
      q.nextSequence = b.baseSequence;
    } else {
      // Maybe appended (the partition expects this sequence or the one after the batch, and
      // nothing says which), or later batches already carry the sequences after it (they would
      // meet a gap). A fresh producer id restarts the count and removes the doubt.
      dropProducerId(b);
    }
  }

  private void dropProducerId(ProducerBatch b) {
    // A transaction with a failed batch must abort, and its end starts a new epoch anyway.
    if (!transactional && producerId == b.producerId && producerEpoch == b.producerEpoch) {
      producerId = 0;
    }
  }

  /**
   * The partition is missing an earlier batch of this producer, so neither this batch nor the
   * records queued behind it can be appended in order under the current producer id: fail them all,
   * and number later records under a fresh producer id.
   */
  private void outOfOrder(ProducerBatch b, BrokerException error) {
    PartitionQueue q = queues.get(b.partition);
    finish(
        b,
        new OutOfOrderSequenceException(
            error.getMessage()
                + " ("
                + b.partition
                + ", producer id "
                + b.producerId
                + ", base sequence "
                + b.baseSequence
                + ")",
            error.indeterminate() || b.indeterminate));
    OutOfOrderSequenceException behind =
        new OutOfOrderSequenceException(
            "not sent: an earlier batch of "
                + b.partition
                + " failed with an out-of-order sequence ("
                + error.getMessage()
                + ")",
            false);
    q.records.forEach(p -> fail(p, behind));
    q.records.clear();
    q.queuedBytes = 0;
    dropProducerId(b);
  }

  /**
   * Fails everything not yet sent or waiting for a retry; batches in flight take their answer (an
   * append that succeeded did happen) but are not retried.
   */
  private void fence(ProducerFencedException e) {
    if (fenced != null) {
      return;
    }
    fenced = e;
    log.warn("producer id {} epoch {} was fenced: {}", producerId, producerEpoch, e.getMessage());
    ProducerFencedException notSent = fencedError(false);
    awaitingMetadata.values().forEach(list -> list.forEach(p -> fail(p, notSent)));
    awaitingMetadata.clear();
    for (PartitionQueue q : queues.values()) {
      q.records.forEach(p -> fail(p, notSent));
      q.records.clear();
      q.queuedBytes = 0;
      for (ProducerBatch b : List.copyOf(q.batches)) {
        if (b.waitingForRetry()) {
          finish(b, fencedError(b.indeterminate));
        }
      }
    }
  }

  private ProducerFencedException fencedError(boolean indeterminate) {
    return new ProducerFencedException(
        "producer fenced by a newer epoch of its producer id: " + fenced.getMessage(),
        indeterminate,
        fenced);
  }

  private void fail(PendingRecord p, BrokerException error) {
    completion.complete(p, null, error);
  }

  // ---- expiry

  private void expire(long now) {
    for (Iterator<List<PendingRecord>> it = awaitingMetadata.values().iterator(); it.hasNext(); ) {
      List<PendingRecord> list = it.next();
      list.removeIf(
          p -> {
            if (now - p.createdNanos < deliveryTimeoutNanos) {
              return false;
            }
            fail(p, expired("metadata for topic " + p.record.topic() + " was not available"));
            return true;
          });
      if (list.isEmpty()) {
        it.remove();
      }
    }
    for (PartitionQueue q : queues.values()) {
      for (ProducerBatch b : List.copyOf(q.batches)) {
        if (b.waitingForRetry() && now >= b.deadlineNanos) {
          if (b.lastError != null) {
            finish(b, finalError(b));
          } else {
            finish(b, expired("no leader of " + b.partition + " was known"));
          }
        }
      }
      while (!q.records.isEmpty()
          && now - q.records.peekFirst().createdNanos >= deliveryTimeoutNanos) {
        PendingRecord p = q.records.pollFirst();
        q.queuedBytes -= p.size;
        fail(p, expired(queuedExpiryReason(q)));
      }
    }
  }

  private String queuedExpiryReason(PartitionQueue q) {
    if (q.retrying()) {
      return "an earlier batch of " + q.partition + " was still being retried";
    }
    if (!q.batches.isEmpty()) {
      return "earlier batches of " + q.partition + " were still unacknowledged";
    }
    if (needsProducerId()) {
      String last =
          lastProducerIdError == null
              ? ""
              : " (last error: " + lastProducerIdError.getMessage() + ")";
      return "no producer id was obtained" + last;
    }
    return "no leader of " + q.partition + " was known";
  }

  private RequestTimeoutException expired(String why) {
    String detail =
        lastMetadataError == null ? "" : "; last metadata error: " + lastMetadataError.getMessage();
    // Never sent, so certainly not written.
    return new RequestTimeoutException(
        "record expired after deliveryTimeout " + config.deliveryTimeout() + ": " + why + detail,
        false);
  }

  // ---- producer id

  private boolean needsProducerId() {
    return idempotent && producerId == 0;
  }

  private boolean anyQueued() {
    for (PartitionQueue q : queues.values()) {
      if (!q.records.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Asks one known node for a producer id; each retry asks the next one. */
  private void maybeInitProducerId(long now) {
    if (!needsProducerId()
        || transactional
        || producerIdInFlight
        || fenced != null
        || now < nextProducerIdNanos
        || !anyQueued()) {
      return;
    }
    List<String> candidates = metadata.knownAddresses();
    String address = candidates.get(Math.floorMod(producerIdAttempts, candidates.size()));
    producerIdAttempts++;
    producerIdInFlight = true;
    try {
      Rpc.toCompletable(
              connections
                  .stub(address)
                  .withDeadlineAfter(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                  .initProducerId(InitProducerIdRequest.getDefaultInstance()))
          .whenComplete(
              (response, failure) -> post(() -> onProducerId(address, response, failure)));
    } catch (RuntimeException e) {
      post(() -> onProducerId(address, null, e));
    }
  }

  private void onProducerId(String address, InitProducerIdResponse response, Throwable failure) {
    producerIdInFlight = false;
    BrokerException error;
    if (failure != null) {
      error = ErrorCodes.fromTransport(failure, address, false);
    } else if (response.hasError() && ErrorCodes.isError(response.getError())) {
      error = ErrorCodes.toException(response.getError());
    } else if (response.getProducerId() == 0) {
      error = new InternalBrokerException("node " + address + " handed out producer id 0", false);
    } else {
      producerId = response.getProducerId();
      producerEpoch = response.getProducerEpoch();
      producerIdAttempts = 0;
      lastProducerIdError = null;
      log.debug("producer id {} epoch {} from {}", producerId, producerEpoch, address);
      return;
    }
    lastProducerIdError = error;
    nextProducerIdNanos =
        System.nanoTime()
            + Backoff.nanos(config.retryBackoff(), MAX_BACKOFF, producerIdAttempts - 1);
    if (error instanceof ProducerFencedException pf) {
      fence(pf);
    } else if (ErrorCodes.isRetriable(error)) {
      log.debug("InitProducerId to {} failed, will retry: {}", address, error.getMessage());
    } else {
      // Waiting would only repeat the failure until deliveryTimeout: fail what waits for the id
      // now; the next record tries again.
      log.warn("could not obtain a producer id from {}: {}", address, error.getMessage());
      BrokerException e =
          new InternalBrokerException(
              "could not obtain a producer id (enableIdempotence): " + error.getMessage(),
              false,
              error);
      for (PartitionQueue q : queues.values()) {
        q.records.forEach(p -> fail(p, e));
        q.records.clear();
        q.queuedBytes = 0;
      }
    }
  }

  // ---- metadata

  private void maybeRefreshMetadata(long now) {
    if (metadataInFlight || metadataWanted.isEmpty() || now < nextMetadataNanos) {
      return;
    }
    List<String> topics = new ArrayList<>(metadataWanted);
    metadataWanted.clear();
    metadataInFlight = true;
    nextMetadataNanos = now + config.retryBackoff().toNanos();
    metadata
        .refresh(topics)
        .whenComplete((response, failure) -> post(() -> onMetadata(topics, response, failure)));
  }

  private void onMetadata(List<String> topics, MetadataResponse response, Throwable failure) {
    metadataInFlight = false;
    if (failure != null) {
      lastMetadataError = ErrorCodes.fromTransport(failure, "cluster", false);
      log.debug("metadata refresh failed: {}", lastMetadataError.getMessage());
      metadataWanted.addAll(topics);
      return;
    }
    lastMetadataError = null;
    Map<String, TopicMetadata> answered = new HashMap<>();
    response.getTopicsList().forEach(t -> answered.put(t.getName(), t));
    for (String topic : topics) {
      TopicMetadata t = answered.get(topic);
      boolean missing =
          t == null || (t.hasError() && t.getError().getCode() == ErrorCode.UNKNOWN_TOPIC);
      if (missing && stillNew(topic)) {
        metadataWanted.add(topic);
        continue;
      }
      if (missing) {
        failTopic(topic, new UnknownTopicException("topic " + topic + " does not exist"));
        continue;
      }
      long now = System.nanoTime();
      for (PartitionQueue q : queues.values()) {
        if (q.partition.topic().equals(topic)) {
          for (ProducerBatch b : q.batches) {
            if (b.waitingForRetry() && goesToNewLeaderNow(b)) {
              b.retryAtNanos = Math.min(b.retryAtNanos, now);
            }
          }
        }
      }
      List<PendingRecord> waiting = awaitingMetadata.get(topic);
      int count = metadata.partitionCount(topic);
      if (waiting != null && count > 0) {
        awaitingMetadata.remove(topic);
        waiting.forEach(p -> enqueue(p, count));
      } else if (waiting != null) {
        metadataWanted.add(topic);
      }
    }
  }

  /**
   * Whether records of a topic the cluster calls unknown were sent too recently to believe it: the
   * node that answered may not have applied the topic's creation yet. Those older than {@link
   * #UNKNOWN_TOPIC_GRACE_NANOS} fail now.
   */
  private boolean stillNew(String topic) {
    List<PendingRecord> waiting = awaitingMetadata.get(topic);
    if (waiting == null) {
      return false;
    }
    long now = System.nanoTime();
    BrokerException unknown = new UnknownTopicException("topic " + topic + " does not exist");
    waiting.removeIf(
        p -> {
          if (now - p.createdNanos < UNKNOWN_TOPIC_GRACE_NANOS) {
            return false;
          }
          fail(p, unknown);
          return true;
        });
    if (waiting.isEmpty()) {
      awaitingMetadata.remove(topic);
      return false;
    }
    return true;
  }

  /**
   * Fails records of a missing topic that were not sent yet; batches in flight get the broker's
   * answer.
   */
  private void failTopic(String topic, BrokerException error) {
    List<PendingRecord> waiting = awaitingMetadata.remove(topic);
    if (waiting != null) {
      waiting.forEach(p -> fail(p, error));
    }
    for (PartitionQueue q : queues.values()) {
      if (q.partition.topic().equals(topic)) {
        q.records.forEach(p -> fail(p, error));
        q.records.clear();
        q.queuedBytes = 0;
        for (ProducerBatch b : List.copyOf(q.batches)) {
          if (b.waitingForRetry()) {
            finish(b, error);
          }
        }
      }
    }
    stickyPartition.remove(topic);
  }

  private void failEverything() {
    BrokerException notSent = new BrokerException("producer closed before the record was sent");
    Runnable event = events.poll();
    while (event != null) {
      event.run();
      event = events.poll();
    }
    awaitingMetadata.values().forEach(list -> list.forEach(p -> fail(p, notSent)));
    awaitingMetadata.clear();
    for (PartitionQueue q : queues.values()) {
      q.records.forEach(p -> fail(p, notSent));
      q.records.clear();
      for (ProducerBatch b : q.batches) {
        if (b.result != null) {
          complete(b); // appended: say so, even though an earlier batch's fate is unknown
          continue;
        }
        boolean maybeWritten = b.inFlight || b.indeterminate;
        b.records.forEach(
            p ->
                fail(
                    p,
                    new BrokerException(
                        "producer closed before the record was acknowledged", maybeWritten)));
      }
      q.batches.clear();
    }
  }
}
