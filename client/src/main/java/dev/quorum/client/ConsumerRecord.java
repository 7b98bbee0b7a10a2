package dev.quorum.client;

import java.util.List;

/**
 * A record read by a {@link Consumer}: its position in the partition, its timestamp (the
 * producer's, or the leader's append time when the producer gave none), key (null when absent),
 * value and headers.
 */
public record ConsumerRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    List<Header> headers) {
  public ConsumerRecord {
    headers = List.copyOf(headers);
  }

  /** The partition this record was read from. */
  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }
}
