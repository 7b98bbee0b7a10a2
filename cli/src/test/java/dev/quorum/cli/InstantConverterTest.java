package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class InstantConverterTest {

  @Test
  void parsesUtcAndOffsetInstants() {
    assertThat(InstantConverter.parse("2026-11-22T10:00:00Z"))
        .isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
    assertThat(InstantConverter.parse(" 2026-11-22T11:00:00.5+01:00 "))
        .isEqualTo(Instant.parse("2026-11-22T10:00:00.500Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2026-11-22", "2026-11-22T10:00:00", "yesterday", "1700000000000"})
  void rejectsAnythingElseWithAnExample(String text) {
    assertThatThrownBy(() -> InstantConverter.parse(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("is not an ISO-8601 instant")
        .hasMessageContaining("2026-11-22T10:00:00Z");
  }
}
