package dev.quorum.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A record to send: a topic, optionally a partition, key, timestamp and headers, and a value.
 *
 * <p>Immutable; byte arrays are not copied, so do not change them after {@link Producer#send}. When
 * {@link #partition()} is null the producer chooses: by key hash (Kafka's murmur2) when there is a
 * key, otherwise sticky round-robin.
 *
 * <pre>{@code
 * ProducerRecord r = ProducerRecord.builder("orders").key(id).value(payload)
 *     .header("trace", traceId).build();
 * }</pre>
 */
public final class ProducerRecord {
  private final String topic;
  private final Integer partition;
  private final byte[] key;
  private final byte[] value;
  private final long timestamp;
  private final List<Header> headers;

  private ProducerRecord(Builder b) {
    this.topic = b.topic;
    this.partition = b.partition;
    this.key = b.key;
    this.value = b.value;
    this.timestamp = b.timestamp;
    this.headers = List.copyOf(b.headers);
  }

  private ProducerRecord(ProducerRecord other, int partition) {
    this.topic = other.topic;
    this.partition = partition;
    this.key = other.key;
    this.value = other.value;
    this.timestamp = other.timestamp;
    this.headers = other.headers;
  }

  /** This record, sent to {@code partition} of its topic. */
  public ProducerRecord withPartition(int partition) {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
    return new ProducerRecord(this, partition);
  }

  /** A record without key: the producer spreads such records over the partitions. */
  public static ProducerRecord of(String topic, byte[] value) {
    return builder(topic).value(value).build();
  }

  /** A keyed record: records with equal keys go to the same partition. */
  public static ProducerRecord of(String topic, byte[] key, byte[] value) {
    return builder(topic).key(key).value(value).build();
  }

  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  public String topic() {
    return topic;
  }

  /** The partition to write to, or null to let the producer choose. */
  public Integer partition() {
    return partition;
  }

  /** The key, or null. */
  public byte[] key() {
    return key;
  }

  public byte[] value() {
    return value;
  }

  /** Creation time in epoch milliseconds; 0 means the leader's append time is used. */
  public long timestamp() {
    return timestamp;
  }

  public List<Header> headers() {
    return headers;
  }

  @Override
  public String toString() {
    return "ProducerRecord{topic="
        + topic
        + ", partition="
        + partition
        + ", key="
        + (key == null ? "null" : key.length + " bytes")
        + ", value="
        + value.length
        + " bytes}";
  }

  /** Builds a {@link ProducerRecord}; not thread-safe. */
  public static final class Builder {
    private final String topic;
    private Integer partition;
    private byte[] key;
    private byte[] value = new byte[0];
    private long timestamp;
    private final List<Header> headers = new ArrayList<>();

    private Builder(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    public Builder partition(int partition) {
      this.partition = partition;
      return this;
    }

    public Builder key(byte[] key) {
      this.key = key;
      return this;
    }

    public Builder value(byte[] value) {
      this.value = Objects.requireNonNull(value, "value");
      return this;
    }

    public Builder timestamp(long timestampMs) {
      this.timestamp = timestampMs;
      return this;
    }

    public Builder header(String key, byte[] value) {
      headers.add(new Header(key, value));
      return this;
    }

    /**
     * Returns the record.
     *
     * @throws IllegalArgumentException if the topic is empty, the partition or timestamp negative
     */
    public ProducerRecord build() {
      if (topic.isEmpty()) {
        throw new IllegalArgumentException("topic must not be empty");
      }
      if (partition != null && partition < 0) {
        throw new IllegalArgumentException("partition must be >= 0, was " + partition);
      }
      if (timestamp < 0) {
        throw new IllegalArgumentException("timestamp must be >= 0, was " + timestamp);
      }
      return new ProducerRecord(this);
    }
  }
}
