package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.ClusterStatus;
import dev.quorum.client.NodeState;
import dev.quorum.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code broker cluster status}. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Inspect the cluster.",
    subcommands = ClusterCommand.Status.class)
final class ClusterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: status");
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show every node (up or down, metadata leader) and the partitions it leads.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Option(
        names = "--require-healthy",
        description = "Exit 1 unless every node is up and one of them leads the metadata group.")
    boolean requireHealthy;

    @Override
    public Integer call() {
      BrokerCli cli = BrokerCli.root(spec);
      ClusterStatus status;
      try (Admin admin = cli.clients().admin(cli.bootstrap(spec), cli.requestTimeout())) {
        status = admin.clusterStatus();
      }
      cli.out().print(format == OutputFormat.json ? json(status) + "\n" : text(status));
      String problem = unhealthy(status);
      if (requireHealthy && problem != null) {
        cli.err().println("error: cluster not healthy: " + problem);
        return BrokerCli.EXIT_FAILURE;
      }
      return 0;
    }

    /** Why the cluster is not fully healthy, or null when it is. */
    static String unhealthy(ClusterStatus status) {
      if (status.nodes().isEmpty()) {
        return "no nodes known";
      }
      List<String> down =
          status.nodes().stream()
              .filter(n -> !n.up())
              .map(n -> String.valueOf(n.id()))
              .collect(Collectors.toList());
      if (!down.isEmpty()) {
        return "node(s) " + String.join(",", down) + " down";
      }
      if (status.nodes().stream().noneMatch(NodeState::metadataLeader)) {
        return "no metadata leader";
      }
      return null;
    }

    static String text(ClusterStatus status) {
      TextTable table = new TextTable("NODE", "ADDRESS", "STATUS", "METADATA", "LEADS");
      for (NodeState node : status.nodes()) {
        table.row(
            node.id(),
            address(node),
            node.up() ? "up" : "down",
            node.metadataLeader() ? "leader" : node.up() ? "follower" : "-",
            node.leaderOf().isEmpty() ? "-" : leads(node.leaderOf()));
      }
      return "cluster " + status.clusterId() + "\n" + table;
    }

    static String json(ClusterStatus status) {
      List<Json> nodes = new ArrayList<>();
      for (NodeState node : status.nodes()) {
        nodes.add(
            Json.object()
                .put("id", node.id())
                .put("address", address(node))
                .put("up", node.up())
                .put("metadataLeader", node.metadataLeader())
                .put("leaderOf", node.leaderOf().stream().map(TopicPartition::toString).toList()));
      }
      return Json.object()
          .put("clusterId", status.clusterId())
          .put("healthy", unhealthy(status) == null)
          .put("nodes", nodes)
          .toString();
    }

    private static String address(NodeState node) {
      return node.host() + ":" + node.clientPort();
    }

    private static String leads(List<TopicPartition> partitions) {
      return partitions.stream()
          .sorted(
              (a, b) ->
                  a.topic().equals(b.topic())
                      ? Integer.compare(a.partition(), b.partition())
                      : a.topic().compareTo(b.topic()))
          .map(TopicPartition::toString)
          .collect(Collectors.joining(","));
    }
  }
}
