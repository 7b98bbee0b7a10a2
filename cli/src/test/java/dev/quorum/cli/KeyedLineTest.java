package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyedLineTest {

  @Test
  void splitsAtTheFirstSeparatorOnly() {
    KeyedLine line = KeyedLine.parse("k1:a:b", ":");

    assertThat(text(line.key())).isEqualTo("k1");
    assertThat(text(line.value())).isEqualTo("a:b");
  }

  @Test
  void lineWithoutTheSeparatorHasNoKey() {
    KeyedLine line = KeyedLine.parse("just a value", ":");

    assertThat(line.key()).isNull();
    assertThat(text(line.value())).isEqualTo("just a value");
  }

  @Test
  void withoutSeparatorTheWholeLineIsTheValue() {
    KeyedLine line = KeyedLine.parse("k1:hello", null);

    assertThat(line.key()).isNull();
    assertThat(text(line.value())).isEqualTo("k1:hello");
  }

  @Test
  void separatorMayBeLongerThanOneCharacter() {
    KeyedLine line = KeyedLine.parse("key=>value=>more", "=>");

    assertThat(text(line.key())).isEqualTo("key");
    assertThat(text(line.value())).isEqualTo("value=>more");
  }

  @Test
  void emptyKeyAndEmptyValueAreKept() {
    KeyedLine leading = KeyedLine.parse(":value", ":");
    KeyedLine trailing = KeyedLine.parse("key:", ":");

    assertThat(leading.key()).isEmpty();
    assertThat(text(leading.value())).isEqualTo("value");
    assertThat(text(trailing.key())).isEqualTo("key");
    assertThat(trailing.value()).isEmpty();
  }

  @Test
  void encodesUtf8() {
    KeyedLine line = KeyedLine.parse("clé:värde ✓", ":");

    assertThat(line.key()).isEqualTo("clé".getBytes(StandardCharsets.UTF_8));
    assertThat(line.value()).isEqualTo("värde ✓".getBytes(StandardCharsets.UTF_8));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
