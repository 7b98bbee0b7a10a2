package dev.quorum.cli;

import dev.quorum.client.Producer;
import dev.quorum.client.ProducerRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code broker produce TOPIC}: sends every line of stdin as one record and waits for all
 * acknowledgements. A failed record does not stop the others; the command then exits 1.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = "Send each line of standard input as a record.")
final class ProduceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TOPIC")
  String topic;

  @Option(
      names = "--key-separator",
      paramLabel = "S",
      description =
          "Text before the first S on a line is the record key; lines without S have no key.")
  String keySeparator;

  @Option(
      names = "--partition",
      paramLabel = "N",
      description = "Send every record to partition N instead of choosing by key.")
  Integer partition;

  @Override
  public Integer call() throws InterruptedException {
    if (partition != null && partition < 0) {
      throw new ParameterException(spec.commandLine(), "--partition must not be negative");
    }
    BrokerCli cli = BrokerCli.root(spec);
    String bootstrap = cli.bootstrap(spec);
    SendOutcomes outcomes = new SendOutcomes();
    try (Producer producer = cli.clients().producer(bootstrap, cli.requestTimeout());
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8))) {
      long lineNumber = 0;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        lineNumber++;
        send(producer, record(line), lineNumber, outcomes);
      }
      producer.flush();
      outcomes.awaitAll();
    } catch (IOException e) {
      throw new UncheckedIOException("reading standard input failed", e);
    }
    PrintWriter err = cli.err();
    outcomes.errors().forEach(message -> err.println("error: " + message));
    if (outcomes.failed() > outcomes.errors().size()) {
      err.printf(
          "error: ... and %d more failed records%n", outcomes.failed() - outcomes.errors().size());
    }
    err.printf("produced %d records%n", outcomes.produced());
    return outcomes.failed() > 0 ? BrokerCli.EXIT_FAILURE : 0;
  }

  ProducerRecord record(String line) {
    KeyedLine parsed = KeyedLine.parse(line, keySeparator);
    ProducerRecord.Builder builder = ProducerRecord.builder(topic).value(parsed.value());
    if (parsed.key() != null) {
      builder.key(parsed.key());
    }
    if (partition != null) {
      builder.partition(partition);
    }
    return builder.build();
  }

  private static void send(
      Producer producer, ProducerRecord record, long lineNumber, SendOutcomes outcomes) {
    outcomes.started();
    try {
      producer
          .send(record)
          .whenComplete(
              (metadata, error) -> {
                if (error == null) {
                  outcomes.succeeded();
                } else {
                  outcomes.failed(lineNumber, BrokerCli.unwrap(error));
                }
              });
    } catch (RuntimeException e) {
      // A send that throws (e.g. an unknown partition noticed up front) is that record's failure
      // only.
      outcomes.failed(lineNumber, e);
    }
  }
}
