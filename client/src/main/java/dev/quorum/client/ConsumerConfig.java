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
 *     .groupId("billing")
 *     .autoOffsetReset(OffsetResetPolicy.EARLIEST)
 *     .build();
 * }</pre>
 */
public final class ConsumerConfig {
  private static final int MAX_GROUP_ID_LENGTH = 249;

  private final String bootstrap;
  private final int maxPollRecords;
  private final Duration fetchMaxWait;
  private final int fetchMaxBytes;
  private final int maxPartitionFetchBytes;
  private final Duration requestTimeout;
  private final Duration retryBackoff;
  private final OffsetResetPolicy autoOffsetReset;
  private final IsolationLevel isolationLevel;
  private final String clientId;
  private final String groupId;
  private final String groupInstanceId;
  private final Duration sessionTimeout;
  private final Duration maxPollInterval;
  private final boolean enableAutoCommit;
  private final Duration autoCommitInterval;
  private final GroupAssignor assignor;

  private ConsumerConfig(Builder b) {
    this.bootstrap = b.bootstrap;
    this.maxPollRecords = b.maxPollRecords;
    this.fetchMaxWait = b.fetchMaxWait;
    this.fetchMaxBytes = b.fetchMaxBytes;
    this.maxPartitionFetchBytes = b.maxPartitionFetchBytes;
    this.requestTimeout = b.requestTimeout;
    this.retryBackoff = b.retryBackoff;
    this.autoOffsetReset = b.autoOffsetReset;
    this.isolationLevel = b.isolationLevel;
    this.clientId = b.clientId;
    this.groupId = b.groupId;
    this.groupInstanceId = b.groupInstanceId;
    this.sessionTimeout = b.sessionTimeout;
    this.maxPollInterval = b.maxPollInterval;
    this.enableAutoCommit = b.enableAutoCommit;
    this.autoCommitInterval = b.autoCommitInterval;
    this.assignor = b.assignor;
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

  /**
   * The pause after a round that could not go on (a retriable error, or no leader known even after
   * asking the cluster); repeated offset lookups double it, up to one second.
   */
  public Duration retryBackoff() {
    return retryBackoff;
  }

  /** Where to start when a partition has no position, or its position left the log. */
  public OffsetResetPolicy autoOffsetReset() {
    return autoOffsetReset;
  }

  /** Which transactional records the consumer sees; read_uncommitted by default, like Kafka. */
  public IsolationLevel isolationLevel() {
    return isolationLevel;
  }

  public String clientId() {
    return clientId;
  }

  /** The consumer group, needed by {@link Consumer#subscribe} and commits; null when unset. */
  public String groupId() {
    return groupId;
  }

  /**
   * Static membership id, or null. A member that restarts with the same instance id within the
   * session timeout takes over its partitions without a rebalance.
   */
  public String groupInstanceId() {
    return groupInstanceId;
  }

  /**
   * How long the coordinator keeps a silent member before giving its partitions away. A background
   * thread heartbeats between polls, so this bounds how fast a dead consumer is noticed, not how
   * long the application may take between polls (that is {@link #maxPollInterval()}).
   */
  public Duration sessionTimeout() {
    return sessionTimeout;
  }

  /**
   * The longest the application may go between {@link Consumer#poll} calls of a subscribed
   * consumer. Past it the member leaves its group, so a stuck application does not hold its
   * partitions; the next poll finds them lost and rejoins.
   */
  public Duration maxPollInterval() {
    return maxPollInterval;
  }

  /**
   * Whether a subscribed consumer commits its positions every {@link #autoCommitInterval()}, before
   * giving partitions up, and on close.
   */
  public boolean enableAutoCommit() {
    return enableAutoCommit;
  }

  public Duration autoCommitInterval() {
    return autoCommitInterval;
  }

  /** The assignor this member asks for; the group uses its first member's choice. */
  public GroupAssignor assignor() {
    return assignor;
  }

  /** Builds a {@link ConsumerConfig}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String bootstrap;
    private int maxPollRecords = 500;
    private Duration fetchMaxWait = Duration.ofMillis(500);
    private int fetchMaxBytes = 50 * 1024 * 1024;
    private int maxPartitionFetchBytes = 1024 * 1024;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration retryBackoff = Duration.ofMillis(50);
    private OffsetResetPolicy autoOffsetReset = OffsetResetPolicy.LATEST;
    private IsolationLevel isolationLevel = IsolationLevel.READ_UNCOMMITTED;
    private String clientId = "quorum-consumer";
    private String groupId;
    private String groupInstanceId;
    private Duration sessionTimeout = Duration.ofSeconds(10);
    private Duration maxPollInterval = Duration.ofMinutes(5);
    private boolean enableAutoCommit = true;
    private Duration autoCommitInterval = Duration.ofSeconds(5);
    private GroupAssignor assignor = GroupAssignor.STICKY;

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

    /** Default 50 ms. */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    public Builder autoOffsetReset(OffsetResetPolicy autoOffsetReset) {
      this.autoOffsetReset = autoOffsetReset;
      return this;
    }

    public Builder isolationLevel(IsolationLevel isolationLevel) {
      this.isolationLevel = isolationLevel;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /** Default null (no group: only {@link Consumer#assign} works). */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /** Default null (dynamic membership). */
    public Builder groupInstanceId(String groupInstanceId) {
      this.groupInstanceId = groupInstanceId;
      return this;
    }

    /** Default 10 s, at least 1 s. */
    public Builder sessionTimeout(Duration sessionTimeout) {
      this.sessionTimeout = sessionTimeout;
      return this;
    }

    /** Default 5 minutes, at least 1 s. */
    public Builder maxPollInterval(Duration maxPollInterval) {
      this.maxPollInterval = maxPollInterval;
      return this;
    }

    /** Default true. */
    public Builder enableAutoCommit(boolean enableAutoCommit) {
      this.enableAutoCommit = enableAutoCommit;
      return this;
    }

    /** Default 5 s. */
    public Builder autoCommitInterval(Duration autoCommitInterval) {
      this.autoCommitInterval = autoCommitInterval;
      return this;
    }

    /** Default {@link GroupAssignor#STICKY}. */
    public Builder assignor(GroupAssignor assignor) {
      this.assignor = assignor;
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
      Settings.positive("retryBackoff", retryBackoff);
      if (autoOffsetReset == null) {
        throw new IllegalArgumentException("autoOffsetReset must not be null");
      }
      if (isolationLevel == null) {
        throw new IllegalArgumentException("isolationLevel must not be null");
      }
      Objects.requireNonNull(clientId, "clientId");
      if (groupId != null && (groupId.isBlank() || groupId.length() > MAX_GROUP_ID_LENGTH)) {
        throw new IllegalArgumentException(
            "groupId must be 1.."
                + MAX_GROUP_ID_LENGTH
                + " characters and not blank, was '"
                + groupId
                + "'");
      }
      if (groupInstanceId != null && groupInstanceId.isBlank()) {
        throw new IllegalArgumentException("groupInstanceId must not be blank when set");
      }
      if (groupInstanceId != null && groupId == null) {
        throw new IllegalArgumentException("groupInstanceId needs a groupId");
      }
      Settings.positive("sessionTimeout", sessionTimeout);
      if (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "sessionTimeout must be at least 1s, was " + sessionTimeout);
      }
      Settings.positive("maxPollInterval", maxPollInterval);
      if (maxPollInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "maxPollInterval must be at least 1s, was " + maxPollInterval);
      }
      Settings.positive("autoCommitInterval", autoCommitInterval);
      if (assignor == null) {
        throw new IllegalArgumentException("assignor must not be null");
      }
      return new ConsumerConfig(this);
    }
  }
}
