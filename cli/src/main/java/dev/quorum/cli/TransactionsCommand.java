package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.TransactionDescription;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "transactions",
    mixinStandardHelpOptions = true,
    description = "Inspect transactional producers and their open (or stuck) transactions.",
    subcommands = {TransactionsCommand.ListTransactions.class, TransactionsCommand.Describe.class})
final class TransactionsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: list or describe");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List the transactional ids with their producer, state and, for an open transaction,"
              + " how long it has been open.")
  static final class ListTransactions implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      List<TransactionDescription> transactions;
      try (Admin admin = TopicCommand.admin(spec)) {
        transactions = admin.listTransactions();
      }
      String shown;
      if (format == OutputFormat.json) {
        List<Json> items = new ArrayList<>();
        transactions.forEach(t -> items.add(json(t)));
        shown = Json.object().put("transactions", items) + "\n";
      } else {
        TextTable table =
            new TextTable(
                "TRANSACTIONAL ID", "PRODUCER", "EPOCH", "STATE", "OPEN SINCE", "PARTITIONS");
        for (TransactionDescription t : transactions) {
          table.row(
              t.transactionalId(),
              t.producerId(),
              t.producerEpoch(),
              t.state(),
              t.started() == null ? "-" : t.started(),
              t.partitions().size());
        }
        shown = table.toString();
      }
      BrokerCli.root(spec).out().print(shown);
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Show one transactional id: its producer, epoch, state and partitions.")
  static final class Describe implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TRANSACTIONAL_ID")
    String transactionalId;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      TransactionDescription t;
      try (Admin admin = TopicCommand.admin(spec)) {
        t = admin.describeTransaction(transactionalId);
      }
      BrokerCli.root(spec).out().print(format == OutputFormat.json ? json(t) + "\n" : text(t));
    }

    static String text(TransactionDescription t) {
      return String.format(
          "transactional id %s%nproducer id %d  epoch %d  coordinator node %d%nstate %s"
              + "  timeout %s  open since %s%nlast outcome %s%npartitions %s%n",
          t.transactionalId(),
          t.producerId(),
          t.producerEpoch(),
          t.coordinator(),
          t.state(),
          t.timeout(),
          t.started() == null ? "-" : t.started(),
          t.lastOutcome().isEmpty() ? "-" : t.lastOutcome(),
          t.partitions().isEmpty() ? "-" : Partitions.join(t.partitions()));
    }
  }

  static Json json(TransactionDescription t) {
    return Json.object()
        .put("transactionalId", t.transactionalId())
        .put("producerId", t.producerId())
        .put("producerEpoch", t.producerEpoch())
        .put("state", t.state())
        .put("started", t.started() == null ? null : t.started().toString())
        .put("timeoutMs", t.timeout().toMillis())
        .put("coordinator", t.coordinator())
        .put("lastOutcome", t.lastOutcome().isEmpty() ? null : t.lastOutcome())
        .put(
            "partitions",
            Partitions.sorted(t.partitions()).stream().map(Object::toString).toList());
  }
}
