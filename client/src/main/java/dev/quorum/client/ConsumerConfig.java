package dev.quorum.client;

import dev.quorum.client.internal.Addresses;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link Consumer}. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * ConsumerConfig config = ConsumerConfig.builder()
 *     .bootstrap("127.0.0.1:7201")
 *     .autoOffsetReset(OffsetResetPolicy.EARLIEST)
 *     .build();
 * }</pre>
 */
public final class ConsumerConfig {
  private final String bootstrap;
  private final int maxPollRecords;
  private final Duration fetchMaxWait;
  private final int fetchMaxBytes;
  private final int maxPartitionFetchBytes;
  private final Duration requestTimeout;
  private final OffsetResetPolicy autoOffsetReset;
  private final String clientId;

  private ConsumerConfig(Builder b) {
    this.bootstrap = b.bootstrap;
    this.maxPollRecords = b.maxPollRecords;
    this.fetchMaxWait = b.fetchMaxWait;
    this.fetchMaxBytes = b.fetchMaxBytes;
    this.maxPartitionFetchBytes = b.maxPartitionFetchBytes;
    this.requestTimeout = b.requestTimeout;
    this.autoOffsetReset = b.autoOffsetReset;
    this.clientId = b.clientId;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** Most records one {@code poll} returns. */
  public int maxPollRecords() {
    return maxPollRecords;
  }

  /** Longest time a node holds a fetch waiting for new records. */
  public Duration fetchMaxWait() {
    return fetchMaxWait;
  }

  /** Upper bound for one fetch response (at least one batch is always returned). */
  public int fetchMaxBytes() {
    return fetchMaxBytes;
  }

  /** Upper bound per partition in one fetch response. */
  public int maxPartitionFetchBytes() {
    return maxPartitionFetchBytes;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Where to start when a partition has no position, or its position left the log. */
  public OffsetResetPolicy autoOffsetReset() {
    return autoOffsetReset;
  }

  public String clientId() {
    return clientId;
  }

  /** Builds a {@link ConsumerConfig}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String bootstrap;
    private int maxPollRecords = 500;
    private Duration fetchMaxWait = Duration.ofMillis(500);
    private int fetchMaxBytes = 50 * 1024 * 1024;
    private int maxPartitionFetchBytes = 1024 * 1024;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private OffsetResetPolicy autoOffsetReset = OffsetResetPolicy.LATEST;
    private String clientId = "quorum-consumer";

    private Builder() {}

    public Builder bootstrap(String bootstrap) {
      this.bootstrap = bootstrap;
      return this;
    }

    public Builder maxPollRecords(int maxPollRecords) {
      this.maxPollRecords = maxPollRecords;
      return this;
    }

    public Builder fetchMaxWait(Duration fetchMaxWait) {
      this.fetchMaxWait = fetchMaxWait;
      return this;
    }

    public Builder fetchMaxBytes(int fetchMaxBytes) {
      this.fetchMaxBytes = fetchMaxBytes;
      return this;
    }

    public Builder maxPartitionFetchBytes(int maxPartitionFetchBytes) {
      this.maxPartitionFetchBytes = maxPartitionFetchBytes;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder autoOffsetReset(OffsetResetPolicy autoOffsetReset) {
      this.autoOffsetReset = autoOffsetReset;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /**
     * Returns the config.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public ConsumerConfig build() {
      Addresses.parse("bootstrap", bootstrap);
      Settings.positive("maxPollRecords", maxPollRecords);
      Settings.nonNegative("fetchMaxWait", fetchMaxWait);
      Settings.positive("fetchMaxBytes", fetchMaxBytes);
      Settings.positive("maxPartitionFetchBytes", maxPartitionFetchBytes);
      Settings.positive("requestTimeout", requestTimeout);
      if (autoOffsetReset == null) {
        throw new IllegalArgumentException("autoOffsetReset must not be null");
      }
      Objects.requireNonNull(clientId, "clientId");
      return new ConsumerConfig(this);
    }
  }
}
