package dev.quorum.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses an ISO-8601 instant such as {@code 2026-11-22T10:00:00Z} (an offset may replace Z). */
final class InstantConverter implements ITypeConverter<Instant> {
  @Override
  public Instant convert(String value) {
    return parse(value);
  }

  static Instant parse(String value) {
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'"
              + value
              + "' is not an ISO-8601 instant; use a UTC time such as 2026-11-22T10:00:00Z");
    }
  }
}
