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

  @Option(
      names = "--transactional-id",
      paramLabel = "ID",
      description =
          "Send each input batch (the lines available at once, at most --transaction-lines) as"
              + " one transaction: read_committed consumers see all of its records or none."
              + " Fences any earlier producer with the same id.")
  String transactionalId;

  @Option(
      names = "--transaction-lines",
      paramLabel = "N",
      defaultValue = "1000",
      description = "With --transactional-id, the most lines in one transaction (default: 1000).")
  int transactionLines;

  @Override
  public Integer call() throws InterruptedException {
    if (partition != null && partition < 0) {
      throw new ParameterException(spec.commandLine(), "--partition must not be negative");
    }
    if (transactionalId != null && transactionalId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--transactional-id must not be blank");
    }
    if (transactionLines < 1) {
      throw new ParameterException(spec.commandLine(), "--transaction-lines must be at least 1");
    }
    BrokerCli cli = BrokerCli.root(spec);
    String bootstrap = cli.bootstrap(spec);
    SendOutcomes outcomes = new SendOutcomes();
    try (Producer producer =
            cli.clients().producer(bootstrap, cli.requestTimeout(), transactionalId);
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8))) {
      if (transactionalId == null) {
        long lineNumber = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          lineNumber++;
          send(producer, record(line), lineNumber, outcomes);
        }
        producer.flush();
        outcomes.awaitAll();
      } else {
        produceTransactions(producer, lines, outcomes);
      }
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

  /**
   * One transaction per input batch. A batch with a failed record is aborted as a whole, and each
   * of its lines counts as failed.
   */
  private void produceTransactions(Producer producer, BufferedReader lines, SendOutcomes outcomes)
      throws IOException, InterruptedException {
    producer.initTransactions();
    long lineNumber = 0;
    String line = lines.readLine();
    while (line != null) {
      long first = lineNumber + 1;
      SendOutcomes batch = new SendOutcomes();
      producer.beginTransaction();
      int inBatch = 0;
      do {
        lineNumber++;
        inBatch++;
        send(producer, record(line), lineNumber, batch);
        // The batch ends where the input pauses, so each typed line commits at once.
        line = inBatch < transactionLines && lines.ready() ? lines.readLine() : null;
      } while (line != null);
      producer.flush();
      batch.awaitAll();
      if (batch.failed() == 0) {
        try {
          producer.commitTransaction();
          outcomes.succeeded(batch.produced());
        } catch (RuntimeException e) {
          outcomes.failedBatch(first, lineNumber, e);
          producer.abortTransaction();
        }
      } else {
        producer.abortTransaction();
        outcomes.failedBatch(first, lineNumber, batch);
      }
      line = lines.readLine();
    }
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
