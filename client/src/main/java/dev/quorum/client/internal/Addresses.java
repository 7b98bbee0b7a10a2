package dev.quorum.client.internal;

import java.util.ArrayList;
import java.util.List;

/** Parses {@code host:port,host:port} bootstrap lists. Internal; not part of the client API. */
public final class Addresses {
  private Addresses() {}

  /**
   * Returns the addresses, each {@code host:port}.
   *
   * @throws IllegalArgumentException naming {@code setting} when the list is empty or malformed
   */
  public static List<String> parse(String setting, String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException(setting + " is required (host:port,host:port)");
    }
    List<String> out = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String a = raw.trim();
      int colon = a.lastIndexOf(':');
      if (colon <= 0 || colon == a.length() - 1) {
        throw new IllegalArgumentException(setting + ": '" + a + "' is not host:port");
      }
      int port;
      try {
        port = Integer.parseInt(a.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(setting + ": '" + a + "' has a non-numeric port");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(setting + ": port out of range in '" + a + "'");
      }
      out.add(a);
    }
    return List.copyOf(out);
  }
}
