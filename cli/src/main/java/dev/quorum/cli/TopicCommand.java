package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.NewTopic;
import dev.quorum.client.PartitionDescription;
import dev.quorum.client.TopicDescription;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code broker topic create|list|describe|delete}. */
@Command(
    name = "topic",
    mixinStandardHelpOptions = true,
    description = "Create, list, describe and delete topics.",
    subcommands = {
      TopicCommand.Create.class,
      TopicCommand.ListTopics.class,
      TopicCommand.Describe.class,
      TopicCommand.Delete.class
    })
final class TopicCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing subcommand: create, list, describe or delete");
  }

  /** Opens an admin client for the command, using the root command's connection options. */
  static Admin admin(CommandSpec spec) {
    BrokerCli cli = BrokerCli.root(spec);
    return cli.clients().admin(cli.bootstrap(spec), cli.requestTimeout());
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Topic name.")
    String name;

    @Option(names = "--partitions", required = true, paramLabel = "P")
    int partitions;

    @Option(
        names = {"--replicas", "--replication-factor"},
        required = true,
        paramLabel = "R")
    int replicas;

    @Option(
        names = "--max-message-bytes",
        paramLabel = "B",
        description = "Largest record batch a produce request may append (default: the cluster's).")
    Integer maxMessageBytes;

    @Override
    public void run() {
      try (Admin admin = admin(spec)) {
        admin.createTopic(new NewTopic(name, partitions, replicas, maxMessageBytes));
        BrokerCli.root(spec)
            .out()
            .printf(
                "created topic %s with %d partitions, replication factor %d%n",
                name, partitions, replicas);
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List topic names.")
  static final class ListTopics implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      try (Admin admin = admin(spec)) {
        List<String> names = new ArrayList<>(admin.listTopics());
        names.sort(null);
        PrintWriter out = BrokerCli.root(spec).out();
        names.forEach(out::println);
      }
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Show a topic's partitions: leader, replicas, start and end offsets.")
  static final class Describe implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      TopicDescription topic;
      try (Admin admin = admin(spec)) {
        topic = admin.describeTopic(name);
      }
      BrokerCli.root(spec)
          .out()
          .print(format == OutputFormat.json ? json(topic) + "\n" : text(topic));
    }

    static String text(TopicDescription topic) {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              "topic %s  id %d  partitions %d  max message bytes %d%n",
              topic.name(), topic.topicId(), topic.partitions().size(), topic.maxMessageBytes()));
      TextTable table = new TextTable("PARTITION", "LEADER", "REPLICAS", "START", "END");
      for (PartitionDescription p : topic.partitions()) {
        table.row(
            p.partition(),
            p.leader() == null ? "none" : p.leader(),
            p.replicas().stream().map(String::valueOf).collect(Collectors.joining(",")),
            p.startOffset(),
            p.endOffset());
      }
      return sb.append(table).toString();
    }

    static String json(TopicDescription topic) {
      List<Json> partitions = new ArrayList<>();
      for (PartitionDescription p : topic.partitions()) {
        partitions.add(
            Json.object()
                .put("partition", p.partition())
                .put("leader", p.leader())
                .put("replicas", p.replicas())
                .put("startOffset", p.startOffset())
                .put("endOffset", p.endOffset()));
      }
      return Json.object()
          .put("name", topic.name())
          .put("topicId", topic.topicId())
          .put("maxMessageBytes", topic.maxMessageBytes())
          .put("partitions", partitions)
          .toString();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public void run() {
      try (Admin admin = admin(spec)) {
        admin.deleteTopic(name);
      }
      BrokerCli.root(spec).out().printf("deleted topic %s%n", name);
    }
  }
}
