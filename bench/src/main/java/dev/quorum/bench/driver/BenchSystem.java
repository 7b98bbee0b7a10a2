package dev.quorum.bench.driver;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * One broker under test, reached through its own client library. The workloads only talk to this
 * interface, so Quorum and Kafka run exactly the same workload code.
 */
interface BenchSystem extends AutoCloseable {

  /** "quorum" or "kafka": the name results are filed under. */
  String name();

  /** Creates a topic with replication factor 3 and waits until every partition has a leader. */
  void createTopic(String topic, int partitions);

  void deleteTopic(String topic);

  /** The node id currently leading {@code partition}, or -1 when it has none. */
  int leaderOf(String topic, int partition);

  /** The number of partitions of {@code topic} that currently have a leader. */
  int partitionsWithLeader(String topic);

  Sender newSender(SenderSettings settings);

  /** A reader of every partition of {@code topic}, from the beginning. */
  Reader newReader(String topic);

  @Override
  void close();

  /** Producer settings shared by both systems (acks after majority commit, idempotent). */
  record SenderSettings(Duration linger, int batchBytes) {}

  /** Called once per record with the System.nanoTime() of its acknowledgement, or its failure. */
  interface Ack {
    void done(long ackNanos, Throwable failure);
  }

  interface Sender extends AutoCloseable {
    /** Queues one record for any partition (the client chooses); may block on a full buffer. */
    void send(String topic, byte[] value, Ack ack);

    void flush();

    /** Flushes, then waits for what is pending at most {@code timeout}; the rest fails. */
    void close(Duration timeout);

    @Override
    default void close() {
      close(Duration.ofSeconds(30));
    }
  }

  interface Reader extends AutoCloseable {
    /** Polls once; calls {@code each} with every record value read; returns how many were read. */
    int poll(Duration timeout, Consumer<byte[]> each);

    @Override
    void close();
  }
}
