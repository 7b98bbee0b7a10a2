package dev.quorum.cli;

import dev.quorum.client.BrokerException;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code broker} command-line tool: topic and consumer group administration, producing lines
 * from stdin and consuming records to stdout. Exit status: 0 on success, 1 when the broker (or the
 * input) failed, 2 on a usage error.
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    version = "quorum broker cli 0.1.0",
    description =
        "Administer topics and consumer groups, produce and consume records on a Quorum cluster.",
    subcommands = {
      TopicCommand.class,
      ProduceCommand.class,
      ConsumeCommand.class,
      GroupCommand.class,
      TransactionsCommand.class,
      ClusterCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BrokerCli implements Runnable {
  static final String BOOTSTRAP_ENV = "QUORUM_BOOTSTRAP";
  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;

  @Option(
      names = "--bootstrap",
      scope = ScopeType.INHERIT,
      paramLabel = "HOST:PORT,...",
      description = "Client addresses of one or more nodes (default: $" + BOOTSTRAP_ENV + ").")
  String bootstrap;

  @Option(
      names = "--request-timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long one request to the cluster may take (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Spec CommandSpec spec;

  private final UnaryOperator<String> env;
  private final InputStream in;
  private final PrintWriter out;
  private final PrintWriter err;
  private final ClientFactory clients;
  private final ShutdownHooks shutdownHooks;

  BrokerCli(
      UnaryOperator<String> env,
      InputStream in,
      PrintWriter out,
      PrintWriter err,
      ClientFactory clients) {
    this(env, in, out, err, clients, ShutdownHooks.jvm());
  }

  BrokerCli(
      UnaryOperator<String> env,
      InputStream in,
      PrintWriter out,
      PrintWriter err,
      ClientFactory clients,
      ShutdownHooks shutdownHooks) {
    this.env = env;
    this.in = in;
    this.out = out;
    this.err = err;
    this.clients = clients;
    this.shutdownHooks = shutdownHooks;
  }

  public static void main(String[] args) {
    // Straight to the file descriptor: System.out would swallow the error of a closed pipe, and
    // consume could not notice that nobody reads any more.
    PrintWriter out =
        new PrintWriter(
            new BufferedWriter(
                new OutputStreamWriter(
                    new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8)),
            false);
    PrintWriter err = utf8Writer(System.err);
    int status =
        execute(new BrokerCli(System::getenv, System.in, out, err, ClientFactory.real()), args);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** Runs one command line and returns its exit status; never calls {@code System.exit}. */
  static int execute(BrokerCli cli, String... args) {
    CommandLine commandLine = new CommandLine(cli);
    commandLine.setOut(cli.out);
    commandLine.setErr(cli.err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(BrokerCli::onUsageError);
    commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> cli.onFailure(e));
    try {
      return commandLine.execute(args);
    } finally {
      cli.out.flush();
      cli.err.flush();
    }
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** The root command of the command a subcommand's {@code @Spec} describes. */
  static BrokerCli root(CommandSpec spec) {
    return (BrokerCli) spec.root().userObject();
  }

  String bootstrap(CommandSpec spec) {
    String value = bootstrap;
    if (value == null || value.isBlank()) {
      value = env.apply(BOOTSTRAP_ENV);
    }
    if (value == null || value.isBlank()) {
      throw new ParameterException(
          spec.commandLine(), "no bootstrap: pass --bootstrap or set " + BOOTSTRAP_ENV);
    }
    return value.trim();
  }

  Duration requestTimeout() {
    return requestTimeout;
  }

  ClientFactory clients() {
    return clients;
  }

  ShutdownHooks shutdownHooks() {
    return shutdownHooks;
  }

  InputStream in() {
    return in;
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  private static int onUsageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    return EXIT_USAGE;
  }

  private int onFailure(Exception e) {
    Throwable cause = unwrap(e);
    if (cause instanceof BrokerException || cause instanceof CliException) {
      err.println("error: " + cause.getMessage());
      return EXIT_FAILURE;
    }
    if (cause instanceof IllegalArgumentException) {
      // Client builders reject bad settings (e.g. a malformed bootstrap) with a message naming the
      // setting.
      err.println("error: " + cause.getMessage());
      return EXIT_USAGE;
    }
    err.println("error: " + cause);
    cause.printStackTrace(err);
    return EXIT_FAILURE;
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static PrintWriter utf8Writer(PrintStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), false);
  }
}
