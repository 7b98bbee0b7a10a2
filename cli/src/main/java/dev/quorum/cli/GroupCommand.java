package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.GroupDescription;
import dev.quorum.client.GroupListing;
import dev.quorum.client.GroupMember;
import dev.quorum.client.OffsetResetSpec;
import dev.quorum.client.PartitionLag;
import dev.quorum.client.TopicPartition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code broker group list|describe|reset}: inspect consumer groups and move their offsets. */
@Command(
    name = "group",
    mixinStandardHelpOptions = true,
    description = "Inspect consumer groups and reset their committed offsets.",
    subcommands = {
      GroupCommand.ListGroups.class,
      GroupCommand.Describe.class,
      GroupCommand.Reset.class
    })
final class GroupCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: list, describe or reset");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the groups of the cluster with their state and number of members.")
  static final class ListGroups implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      List<GroupListing> groups;
      try (Admin admin = TopicCommand.admin(spec)) {
        groups = admin.listGroups();
      }
      BrokerCli.root(spec)
          .out()
          .print(format == OutputFormat.json ? json(groups) + "\n" : text(groups));
    }

    static String text(List<GroupListing> groups) {
      TextTable table = new TextTable("GROUP", "STATE", "MEMBERS");
      for (GroupListing g : groups) {
        table.row(g.groupId(), g.state(), g.members());
      }
      return table.toString();
    }

    static String json(List<GroupListing> groups) {
      List<Json> items = new ArrayList<>();
      for (GroupListing g : groups) {
        items.add(
            Json.object()
                .put("groupId", g.groupId())
                .put("state", g.state())
                .put("members", g.members()));
      }
      return Json.object().put("groups", items).toString();
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description =
          "Show a group's members with their partitions, and per partition the committed offset,"
              + " the end offset and the lag.")
  static final class Describe implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "GROUP")
    String groupId;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
    OutputFormat format;

    @Override
    public void run() {
      GroupDescription group;
      try (Admin admin = TopicCommand.admin(spec)) {
        group = admin.describeGroup(groupId);
      }
      BrokerCli.root(spec)
          .out()
          .print(format == OutputFormat.json ? json(group) + "\n" : text(group));
    }

    static String text(GroupDescription group) {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              "group %s  state %s  epoch %d  assignor %s  members %d%n",
              group.groupId(),
              group.state(),
              group.groupEpoch(),
              group.assignor(),
              group.members().size()));
      TextTable members = new TextTable("MEMBER", "INSTANCE", "CLIENT", "PARTITIONS");
      for (GroupMember m : group.members()) {
        members.row(
            m.memberId(),
            m.instanceId() == null ? "-" : m.instanceId(),
            m.clientId(),
            Partitions.join(m.assignment()));
      }
      sb.append('\n').append(members);
      TextTable offsets = new TextTable("TOPIC", "PARTITION", "COMMITTED", "END", "LAG");
      for (PartitionLag p : sortedOffsets(group)) {
        offsets.row(
            p.partition().topic(),
            p.partition().partition(),
            p.committedOffset(),
            p.endOffset() < 0 ? "-" : p.endOffset(),
            p.lag() < 0 ? "-" : p.lag());
      }
      return sb.append('\n').append(offsets).toString();
    }

    static String json(GroupDescription group) {
      List<Json> members = new ArrayList<>();
      for (GroupMember m : group.members()) {
        members.add(
            Json.object()
                .put("memberId", m.memberId())
                .put("instanceId", m.instanceId())
                .put("clientId", m.clientId())
                .put("assignment", names(m.assignment()))
                .put("target", names(m.target())));
      }
      List<Json> offsets = new ArrayList<>();
      for (PartitionLag p : sortedOffsets(group)) {
        offsets.add(
            Json.object()
                .put("topic", p.partition().topic())
                .put("partition", p.partition().partition())
                .put("committedOffset", p.committedOffset())
                // Unknown (no leader answered) is null rather than the client's -1.
                .put("endOffset", p.endOffset() < 0 ? null : p.endOffset())
                .put("lag", p.lag() < 0 ? null : p.lag()));
      }
      return Json.object()
          .put("groupId", group.groupId())
          .put("state", group.state())
          .put("groupEpoch", group.groupEpoch())
          .put("assignor", group.assignor())
          .put("members", members)
          .put("offsets", offsets)
          .toString();
    }

    private static List<PartitionLag> sortedOffsets(GroupDescription group) {
      return group.offsets().stream()
          .sorted(Comparator.comparing(PartitionLag::partition, Partitions.ORDER))
          .toList();
    }

    private static List<String> names(Collection<TopicPartition> partitions) {
      return Partitions.sorted(partitions).stream().map(TopicPartition::toString).toList();
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description =
          "Set the committed offsets of a group on every partition of a topic. The group must have"
              + " no members: stop its consumers first.")
  static final class Reset implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "GROUP")
    String groupId;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** Where to move the offsets; exactly one of these. */
    static final class Target {
      @Option(names = "--to-earliest", description = "The oldest record still in the log.")
      boolean earliest;

      @Option(names = "--to-latest", description = "The end of the log: skip everything there.")
      boolean latest;

      @Option(names = "--to-offset", paramLabel = "N", description = "Offset N on every partition.")
      Long offset;

      @Option(
          names = "--to-datetime",
          paramLabel = "INSTANT",
          converter = InstantConverter.class,
          description =
              "The first record appended at or after this ISO-8601 instant, e.g."
                  + " 2026-11-22T10:00:00Z (the end of the log if there is none).")
      Instant datetime;

      OffsetResetSpec spec() {
        if (earliest) {
          return OffsetResetSpec.earliest();
        }
        if (latest) {
          return OffsetResetSpec.latest();
        }
        if (offset != null) {
          return OffsetResetSpec.toOffset(offset);
        }
        return OffsetResetSpec.toDatetime(datetime);
      }
    }

    @Override
    public void run() {
      if (target.offset != null && target.offset < 0) {
        throw new ParameterException(spec.commandLine(), "--to-offset must not be negative");
      }
      Map<TopicPartition, Long> offsets;
      // A GroupNotEmptyException ends as "error: <broker's message>" (which says to stop the
      // members first), exit status 1, like every broker error.
      try (Admin admin = TopicCommand.admin(spec)) {
        offsets = admin.resetOffsets(groupId, topic, target.spec());
      }
      BrokerCli.root(spec).out().print(text(offsets));
    }

    static String text(Map<TopicPartition, Long> offsets) {
      TextTable table = new TextTable("TOPIC", "PARTITION", "NEW-OFFSET");
      for (TopicPartition p : Partitions.sorted(offsets.keySet())) {
        table.row(p.topic(), p.partition(), offsets.get(p));
      }
      return table.toString();
    }
  }
}
