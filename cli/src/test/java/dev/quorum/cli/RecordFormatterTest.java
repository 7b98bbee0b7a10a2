package dev.quorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.Header;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordFormatterTest {
  private static final ConsumerRecord KEYED =
      new ConsumerRecord(
          "orders",
          2,
          17,
          1_700_000_000_000L,
          "k1".getBytes(UTF_8),
          "say \"hi\"".getBytes(UTF_8),
          List.of(new Header("trace", "abc".getBytes(UTF_8))));
  private static final ConsumerRecord UNKEYED =
      new ConsumerRecord("orders", 0, 3, 5, null, "v".getBytes(UTF_8), List.of());

  @Test
  void textPrintsTheValue() {
    assertThat(new RecordFormatter(OutputFormat.text, false, ":").format(KEYED))
        .isEqualTo("say \"hi\"");
  }

  @Test
  void textWithKeyPrintsKeySeparatorValue() {
    RecordFormatter formatter = new RecordFormatter(OutputFormat.text, true, "\t");

    assertThat(formatter.format(KEYED)).isEqualTo("k1\tsay \"hi\"");
    assertThat(formatter.format(UNKEYED)).isEqualTo("\tv");
  }

  @Test
  void jsonHasEveryFieldAndNullKey() {
    RecordFormatter formatter = new RecordFormatter(OutputFormat.json, false, ":");

    assertThat(formatter.format(KEYED))
        .isEqualTo(
            "{\"topic\":\"orders\",\"partition\":2,\"offset\":17,\"timestamp\":1700000000000,"
                + "\"key\":\"k1\",\"value\":\"say \\\"hi\\\"\",\"headers\":{\"trace\":\"abc\"}}");
    assertThat(formatter.format(UNKEYED))
        .isEqualTo(
            "{\"topic\":\"orders\",\"partition\":0,\"offset\":3,\"timestamp\":5,"
                + "\"key\":null,\"value\":\"v\",\"headers\":{}}");
  }
}
