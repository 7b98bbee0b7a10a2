package dev.quorum.client;

import java.util.Objects;

/**
 * One record header: an application-defined key and an opaque value.
 *
 * <p>Immutable as far as the client is concerned; the value array is not copied, so do not change
 * it after handing it over.
 */
public record Header(String key, byte[] value) {
  public Header {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
