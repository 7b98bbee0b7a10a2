package dev.quorum.bench.driver;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** {@code --key value} options of one driver invocation. */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  Args(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --key value, got " + args[i]);
      }
      values.put(args[i].substring(2), args[++i]);
    }
  }

  String string(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  String required(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + key);
    }
    return v;
  }

  int integer(String key, int fallback) {
    return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
  }

  double number(String key, double fallback) {
    return values.containsKey(key) ? Double.parseDouble(values.get(key)) : fallback;
  }

  Duration seconds(String key, double fallback) {
    return Duration.ofMillis(Math.round(number(key, fallback) * 1000));
  }

  Duration millis(String key, long fallback) {
    return Duration.ofMillis(values.containsKey(key) ? Long.parseLong(values.get(key)) : fallback);
  }
}
