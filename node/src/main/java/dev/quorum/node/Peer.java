package dev.quorum.node;

import java.util.ArrayList;
import java.util.List;

/** A node of the cluster as named in the configuration: {@code id@host:raftPort:clientPort}. */
record Peer(int id, String host, int raftPort, int clientPort) {

  static List<Peer> parseList(String value) {
    List<Peer> peers = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      if (!part.isBlank()) {
        peers.add(parse(part.trim()));
      }
    }
    return peers;
  }

  static Peer parse(String text) {
    int at = text.indexOf('@');
    String[] address = at < 0 ? new String[0] : text.substring(at + 1).split(":", -1);
    if (at < 1 || address.length != 3) {
      throw new IllegalArgumentException(
          "peer '" + text + "' must look like id@host:raftPort:clientPort");
    }
    try {
      return new Peer(
          Integer.parseInt(text.substring(0, at)),
          address[0],
          Integer.parseInt(address[1]),
          Integer.parseInt(address[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "peer '" + text + "' must look like id@host:raftPort:clientPort with numbers");
    }
  }

  String raftAddress() {
    return host + ":" + raftPort;
  }
}
