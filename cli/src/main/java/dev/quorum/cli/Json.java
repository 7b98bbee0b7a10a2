package dev.quorum.cli;

import java.util.Collection;
import java.util.Map;

/**
 * Just enough JSON writing for the CLI's output: an ordered object builder and a string escaper.
 * Values may be null, strings, numbers, booleans, nested {@link Json} objects, collections or maps
 * with string keys.
 */
final class Json {
  private final StringBuilder out = new StringBuilder("{");
  private boolean empty = true;

  static Json object() {
    return new Json();
  }

  Json put(String name, Object value) {
    if (!empty) {
      out.append(',');
    }
    empty = false;
    quote(name, out);
    out.append(':');
    value(value, out);
    return this;
  }

  @Override
  public String toString() {
    return out + "}";
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(s, sb);
    return sb.toString();
  }

  private static void value(Object value, StringBuilder sb) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      quote(s, sb);
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Json json) {
      sb.append(json);
    } else if (value instanceof Map<?, ?> map) {
      Json nested = object();
      map.forEach((k, v) -> nested.put(String.valueOf(k), v));
      sb.append(nested);
    } else if (value instanceof Collection<?> items) {
      sb.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        value(item, sb);
      }
      sb.append(']');
    } else {
      quote(value.toString(), sb);
    }
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          // Control characters must be escaped; U+2028/2029 too, so the output is also valid
          // JavaScript.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
