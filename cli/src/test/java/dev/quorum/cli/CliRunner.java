package dev.quorum.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the CLI in-process with a given environment, stdin and fake clients, capturing its output.
 */
final class CliRunner {
  final Map<String, String> env = new HashMap<>();
  final FakeClients clients = new FakeClients();
  final RecordedHooks hooks = new RecordedHooks();
  String stdin = "";

  record Result(int exitCode, String out, String err) {}

  CliRunner bootstrap(String value) {
    env.put(BrokerCli.BOOTSTRAP_ENV, value);
    return this;
  }

  CliRunner stdin(String text) {
    stdin = text;
    return this;
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    BrokerCli cli =
        new BrokerCli(
            env::get,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out),
            new PrintWriter(err),
            clients,
            hooks);
    int code = BrokerCli.execute(cli, args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Keeps shutdown hooks instead of giving them to the JVM; {@link #shutDown} runs them. */
  static final class RecordedHooks implements ShutdownHooks {
    final List<Thread> registered = new ArrayList<>();
    final List<Thread> started = new ArrayList<>();

    @Override
    public synchronized boolean add(Thread hook) {
      registered.add(hook);
      return true;
    }

    @Override
    public synchronized void remove(Thread hook) {
      registered.remove(hook);
    }

    /** Starts every registered hook, as the JVM does on SIGTERM, without waiting for them. */
    synchronized void shutDown() {
      for (Thread hook : registered) {
        if (!started.contains(hook)) {
          started.add(hook);
          hook.start();
        }
      }
    }
  }
}
