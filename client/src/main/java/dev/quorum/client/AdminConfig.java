package dev.quorum.client;

import dev.quorum.client.internal.Addresses;
import java.time.Duration;

/** Settings of an {@link Admin}. Immutable; build one with {@link #builder()}. */
public final class AdminConfig {
  private final String bootstrap;
  private final Duration requestTimeout;

  private AdminConfig(Builder b) {
    this.bootstrap = b.bootstrap;
    this.requestTimeout = b.requestTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** Upper bound for each admin operation, retries included. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Builds an {@link AdminConfig}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String bootstrap;
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder() {}

    public Builder bootstrap(String bootstrap) {
      this.bootstrap = bootstrap;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Returns the config.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public AdminConfig build() {
      Addresses.parse("bootstrap", bootstrap);
      Settings.positive("requestTimeout", requestTimeout);
      return new AdminConfig(this);
    }
  }
}
