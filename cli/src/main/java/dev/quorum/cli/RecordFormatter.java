package dev.quorum.cli;

import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.Header;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders a consumed record as one output line: the value (optionally key first) or a JSON object.
 */
final class RecordFormatter {
  private final OutputFormat format;
  private final boolean printKey;
  private final String keySeparator;

  RecordFormatter(OutputFormat format, boolean printKey, String keySeparator) {
    this.format = format;
    this.printKey = printKey;
    this.keySeparator = keySeparator;
  }

  String format(ConsumerRecord record) {
    if (format == OutputFormat.json) {
      return json(record);
    }
    String value = utf8(record.value());
    if (!printKey) {
      return value;
    }
    String key = record.key() == null ? "" : utf8(record.key());
    return key + keySeparator + value;
  }

  static String json(ConsumerRecord record) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), utf8(header.value()));
    }
    return Json.object()
        .put("topic", record.topic())
        .put("partition", record.partition())
        .put("offset", record.offset())
        .put("timestamp", record.timestamp())
        .put("key", record.key() == null ? null : utf8(record.key()))
        .put("value", utf8(record.value()))
        .put("headers", headers)
        .toString();
  }

  private static String utf8(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
