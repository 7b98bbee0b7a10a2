package dev.quorum.cli;

import java.nio.charset.StandardCharsets;

/**
 * One input line of {@code produce}, split into an optional key and a value at the first occurrence
 * of the key separator. A line without the separator (or any line when there is no separator) has
 * no key.
 */
record KeyedLine(byte[] key, byte[] value) {

  static KeyedLine parse(String line, String separator) {
    if (separator != null && !separator.isEmpty()) {
      int at = line.indexOf(separator);
      if (at >= 0) {
        return new KeyedLine(
            utf8(line.substring(0, at)), utf8(line.substring(at + separator.length())));
      }
    }
    return new KeyedLine(null, utf8(line));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
