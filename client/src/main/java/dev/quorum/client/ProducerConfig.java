package dev.quorum.client;

import dev.quorum.client.internal.Addresses;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link Producer}. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * ProducerConfig config = ProducerConfig.builder()
 *     .bootstrap("127.0.0.1:7201,127.0.0.1:7202")
 *     .linger(Duration.ofMillis(10))
 *     .build();
 * }</pre>
 */
public final class ProducerConfig {
  private final String bootstrap;
  private final Duration linger;
  private final int batchSize;

  /** A partition remembers a producer's last 16 batches, so a retry of any of them is found. */
  static final int MAX_IDEMPOTENT_IN_FLIGHT = 16;

  /** What a pending record costs in the buffer beyond its serialized size: its bookkeeping. */
  public static final int RECORD_OVERHEAD = 320;

  private final int maxInFlight;
  private final int bufferMemory;
  private final Duration maxBlock;
  private final Duration retryBackoff;
  private final Duration deliveryTimeout;
  private final Duration requestTimeout;
  private final String clientId;
  private final boolean enableIdempotence;
  private final @Nullable String transactionalId;
  private final Duration transactionTimeout;

  private ProducerConfig(Builder b) {
    this.bootstrap = b.bootstrap;
    this.linger = b.linger;
    this.batchSize = b.batchSize;
    this.maxInFlight = b.maxInFlight;
    this.bufferMemory = b.bufferMemory;
    this.maxBlock = b.maxBlock;
    this.retryBackoff = b.retryBackoff;
    this.deliveryTimeout = b.deliveryTimeout;
    this.requestTimeout = b.requestTimeout;
    this.clientId = b.clientId;
    this.enableIdempotence = b.enableIdempotence;
    this.transactionalId = b.transactionalId;
    this.transactionTimeout = b.transactionTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Comma-separated {@code host:port} client addresses of some cluster nodes. */
  public String bootstrap() {
    return bootstrap;
  }

  /** How long a partition's records wait for more before they are sent. */
  public Duration linger() {
    return linger;
  }

  /**
   * Largest batch, in serialized bytes, sent to one partition (a single larger record goes alone).
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * How many batches of one partition may be unacknowledged at once (Kafka's {@code
   * max.in.flight.requests.per.connection}, counted per partition). With idempotence on (the
   * default), retries never reorder a partition's records whatever this is; without it, a retried
   * batch may land after a later one unless this is 1.
   */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * Bytes of heap the records waiting for acknowledgement may take before {@code send} blocks
   * (Kafka's {@code buffer.memory}). A record counts as its serialized size plus {@value
   * #RECORD_OVERHEAD} bytes for the objects that track it until it is acknowledged.
   */
  public int bufferMemory() {
    return bufferMemory;
  }

  /** How long {@code send} blocks on a full buffer before failing. */
  public Duration maxBlock() {
    return maxBlock;
  }

  /** First retry backoff; doubles per attempt, capped at one second. */
  public Duration retryBackoff() {
    return retryBackoff;
  }

  /** Upper bound from {@code send} to success or failure, retries included. */
  public Duration deliveryTimeout() {
    return deliveryTimeout;
  }

  /** How long one request may take. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  public String clientId() {
    return clientId;
  }

  /**
   * Whether the producer is idempotent: it numbers each partition's records under a producer id
   * from the cluster, so a batch retried after a lost reply is appended only once.
   */
  public boolean enableIdempotence() {
    return enableIdempotence;
  }

  /**
   * The producer's transactional id, or null for a producer without transactions. A producer that
   * calls {@link Producer#initTransactions()} with an id fences every earlier producer with the
   * same id and aborts the transaction it left open.
   */
  public @Nullable String transactionalId() {
    return transactionalId;
  }

  /** How long a transaction may stay open before the coordinator aborts it. */
  public Duration transactionTimeout() {
    return transactionTimeout;
  }

  /** Builds a {@link ProducerConfig}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String bootstrap;
    private Duration linger = Duration.ofMillis(5);
    private int batchSize = 65536;
    private int maxInFlight = MAX_IDEMPOTENT_IN_FLIGHT;
    // Records wait here for a batch and its acknowledgement: enough to keep several partitions'
    // batches in flight, while a young collection still copies little of it.
    private int bufferMemory = 32 << 20;
    private Duration maxBlock = Duration.ofSeconds(60);
    private Duration retryBackoff = Duration.ofMillis(100);
    private Duration deliveryTimeout = Duration.ofSeconds(120);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private String clientId = "quorum-producer";
    private boolean enableIdempotence = true;
    private @Nullable String transactionalId;
    private Duration transactionTimeout = Duration.ofMinutes(1);

    private Builder() {}

    public Builder bootstrap(String bootstrap) {
      this.bootstrap = bootstrap;
      return this;
    }

    public Builder linger(Duration linger) {
      this.linger = linger;
      return this;
    }

    public Builder batchSize(int bytes) {
      this.batchSize = bytes;
      return this;
    }

    /**
     * Batches per partition sent and not yet acknowledged. Default 16, at most 16 with idempotence;
     * 1 sends a partition's next batch only once the previous one is acknowledged. The default is
     * deeper than Kafka's five because every replica fsyncs before the acknowledgement: one
     * producer's throughput per partition is the bytes it keeps in flight per commit round trip.
     */
    public Builder maxInFlight(int batches) {
      this.maxInFlight = batches;
      return this;
    }

    /** Default 32 MiB, as Kafka's; see {@link ProducerConfig#bufferMemory()}. */
    public Builder bufferMemory(int bytes) {
      this.bufferMemory = bytes;
      return this;
    }

    public Builder maxBlock(Duration maxBlock) {
      this.maxBlock = maxBlock;
      return this;
    }

    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    public Builder deliveryTimeout(Duration deliveryTimeout) {
      this.deliveryTimeout = deliveryTimeout;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /** Default true. False sends batches without a producer id; a retry may then duplicate. */
    public Builder enableIdempotence(boolean enableIdempotence) {
      this.enableIdempotence = enableIdempotence;
      return this;
    }

    /** Makes the producer transactional; it needs idempotence, which is on by default. */
    public Builder transactionalId(@Nullable String transactionalId) {
      this.transactionalId = transactionalId;
      return this;
    }

    /** Default one minute; at most 15 minutes. */
    public Builder transactionTimeout(Duration transactionTimeout) {
      this.transactionTimeout = transactionTimeout;
      return this;
    }

    /**
     * Returns the config.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public ProducerConfig build() {
      Addresses.parse("bootstrap", bootstrap);
      Settings.nonNegative("linger", linger);
      Settings.positive("batchSize", batchSize);
      Settings.positive("maxInFlight", maxInFlight);
      if (enableIdempotence && maxInFlight > MAX_IDEMPOTENT_IN_FLIGHT) {
        // A partition recognises a retry among the producer's last 16 batches only.
        throw new IllegalArgumentException(
            "maxInFlight must be at most "
                + MAX_IDEMPOTENT_IN_FLIGHT
                + " with enableIdempotence, was "
                + maxInFlight);
      }
      Settings.positive("bufferMemory", bufferMemory);
      Settings.nonNegative("maxBlock", maxBlock);
      Settings.positive("retryBackoff", retryBackoff);
      Settings.positive("deliveryTimeout", deliveryTimeout);
      Settings.positive("requestTimeout", requestTimeout);
      if (clientId == null) {
        throw new IllegalArgumentException("clientId must not be null");
      }
      if (transactionalId != null) {
        if (transactionalId.isBlank()) {
          throw new IllegalArgumentException("transactionalId must not be blank");
        }
        if (!enableIdempotence) {
          throw new IllegalArgumentException(
              "transactionalId needs enableIdempotence: transactions are built on it");
        }
        Settings.positive("transactionTimeout", transactionTimeout);
        if (transactionTimeout.compareTo(Duration.ofMinutes(15)) > 0) {
          throw new IllegalArgumentException(
              "transactionTimeout must be at most 15 minutes, got " + transactionTimeout);
        }
      }
      return new ProducerConfig(this);
    }
  }
}
