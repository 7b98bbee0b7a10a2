package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.ProducerDescription;
import dev.quorum.client.TopicPartition;
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
    subcommands = {
      TransactionsCommand.ListTransactions.class,
      TransactionsCommand.Describe.class,
      TransactionsCommand.Producers.class,
      TransactionsCommand.FindHanging.class,
      TransactionsCommand.Abort.class
    })
final class TransactionsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing subcommand: list, describe, producers, find-hanging or abort");
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

  @Command(
      name = "producers",
      mixinStandardHelpOptions = true,
      description =
          "Show the producers a partition's leader remembers, with their open transactions.")
  static final class Producers implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--partition", required = true, paramLabel = "N")
    int partition;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      List<ProducerDescription> producers;
      try (Admin admin = TopicCommand.admin(spec)) {
        producers = admin.describeProducers(new TopicPartition(topic, partition));
      }
      BrokerCli.root(spec).out().print(show(producers, format));
    }
  }

  @Command(
      name = "find-hanging",
      mixinStandardHelpOptions = true,
      description =
          "Find transactions open in a partition that no coordinator will end: they hold the"
              + " partition's last stable offset, so read_committed consumers, back.")
  static final class FindHanging implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      List<ProducerDescription> hanging;
      try (Admin admin = TopicCommand.admin(spec)) {
        hanging = admin.findHangingTransactions();
      }
      BrokerCli.root(spec)
          .out()
          .print(
              hanging.isEmpty() && format == OutputFormat.text
                  ? "no hanging transactions\n"
                  : show(hanging, format));
    }
  }

  @Command(
      name = "abort",
      mixinStandardHelpOptions = true,
      description =
          "Abort a hanging transaction in one partition (see find-hanging). Refused while its"
              + " coordinator has the transaction in progress.")
  static final class Abort implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--partition", required = true, paramLabel = "N")
    int partition;

    @Option(names = "--producer-id", required = true, paramLabel = "ID")
    long producerId;

    @Option(names = "--producer-epoch", required = true, paramLabel = "EPOCH")
    int producerEpoch;

    @Override
    public void run() {
      TopicPartition tp = new TopicPartition(topic, partition);
      try (Admin admin = TopicCommand.admin(spec)) {
        admin.abortTransaction(tp, producerId, producerEpoch);
      }
      BrokerCli.root(spec)
          .out()
          .printf(
              "aborted the transaction of producer %d epoch %d in %s%n",
              producerId, producerEpoch, tp);
    }
  }

  private static String show(List<ProducerDescription> producers, OutputFormat format) {
    if (format == OutputFormat.json) {
      List<Json> items = new ArrayList<>();
      for (ProducerDescription p : producers) {
        items.add(
            Json.object()
                .put("partition", p.partition().toString())
                .put("producerId", p.producerId())
                .put("producerEpoch", p.producerEpoch())
                .put("lastSequence", p.lastSequence())
                .put("lastAppended", p.lastAppended().toString())
                .put("transactionEpoch", p.transactionOpen() ? p.transactionEpoch() : null)
                .put(
                    "transactionFirstOffset",
                    p.transactionOpen() ? p.transactionFirstOffset() : null));
      }
      return Json.object().put("producers", items) + "\n";
    }
    TextTable table =
        new TextTable(
            "PARTITION",
            "PRODUCER",
            "EPOCH",
            "LAST SEQUENCE",
            "LAST APPENDED",
            "OPEN TRANSACTION EPOCH",
            "FROM OFFSET");
    for (ProducerDescription p : producers) {
      table.row(
          p.partition(),
          p.producerId(),
          p.producerEpoch(),
          p.lastSequence(),
          p.lastAppended(),
          p.transactionOpen() ? p.transactionEpoch() : "-",
          p.transactionOpen() ? p.transactionFirstOffset() : "-");
    }
    return table.toString();
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
