package dev.quorum.client;

import java.time.Duration;

/** Checks shared by the config builders; each failure names the setting. */
final class Settings {
  private Settings() {}

  static Duration positive(String setting, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(setting + " must be a positive duration, was " + d);
    }
    return d;
  }

  static Duration nonNegative(String setting, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(setting + " must not be negative, was " + d);
    }
    return d;
  }

  static int positive(String setting, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(setting + " must be > 0, was " + value);
    }
    return value;
  }
}
