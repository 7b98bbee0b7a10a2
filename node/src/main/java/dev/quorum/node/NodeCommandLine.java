package dev.quorum.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** Reads {@code --config FILE} and flags that override single keys of it. */
final class NodeCommandLine {
  private static final Map<String, String> FLAGS =
      Map.of(
          "--node-id", NodeConfig.NODE_ID,
          "--cluster-id", NodeConfig.CLUSTER_ID,
          "--data-dir", NodeConfig.DATA_DIR,
          "--host", NodeConfig.HOST,
          "--client-port", NodeConfig.CLIENT_PORT,
          "--raft-port", NodeConfig.RAFT_PORT,
          "--peers", NodeConfig.PEERS);

  private NodeCommandLine() {}

  static NodeConfig parse(String[] args) {
    Properties props = new Properties();
    Properties overrides = new Properties();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + usage());
      }
      String value = args[++i];
      if (flag.equals("--config")) {
        load(Path.of(value), props);
      } else if (flag.equals("--set")) {
        int eq = value.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("--set needs key=value, got '" + value + "'");
        }
        overrides.setProperty(value.substring(0, eq), value.substring(eq + 1));
      } else if (FLAGS.containsKey(flag)) {
        overrides.setProperty(FLAGS.get(flag), value);
      } else {
        throw new IllegalArgumentException("unknown option " + flag + "\n" + usage());
      }
    }
    props.putAll(overrides);
    return NodeConfig.load(props);
  }

  private static void load(Path file, Properties into) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--config: no such file " + file);
    }
    try (InputStream in = Files.newInputStream(file)) {
      into.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String usage() {
    return "usage: BrokerNode [--config FILE] [--node-id N] [--cluster-id ID] [--data-dir DIR]"
        + " [--host H] [--client-port P] [--raft-port P] [--peers id@host:raftPort:clientPort,...]"
        + " [--set key=value]...";
  }
}
