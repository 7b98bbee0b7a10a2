package dev.quorum.cli;

import static dev.quorum.cli.FakeClients.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.GroupDescription;
import dev.quorum.client.GroupListing;
import dev.quorum.client.GroupMember;
import dev.quorum.client.PartitionLag;
import dev.quorum.client.TopicPartition;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GroupCommandTest {
  private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
  private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);

  private final CliRunner cli = new CliRunner().bootstrap("127.0.0.1:7101");

  @Test
  void listAsTextAndJson() {
    cli.clients.groups.add(new GroupListing("billing", "STABLE", 2));
    cli.clients.groups.add(new GroupListing("audit-replay", "EMPTY", 0));

    CliRunner.Result text = cli.run("group", "list");
    CliRunner.Result json = cli.run("group", "list", "--format", "json");

    assertThat(text.exitCode()).isZero();
    assertThat(text.out())
        .isEqualTo(
            "GROUP         STATE   MEMBERS\n"
                + "billing       STABLE  2\n"
                + "audit-replay  EMPTY   0\n");
    assertThat(json.out())
        .isEqualTo(
            "{\"groups\":[{\"groupId\":\"billing\",\"state\":\"STABLE\",\"members\":2},"
                + "{\"groupId\":\"audit-replay\",\"state\":\"EMPTY\",\"members\":0}]}\n");
    assertThat(cli.clients.closed).isTrue();
  }

  @Test
  void listWithoutGroups() {
    assertThat(cli.run("group", "list").out()).isEqualTo("GROUP  STATE  MEMBERS\n");
    assertThat(cli.run("group", "list", "--format", "json").out()).isEqualTo("{\"groups\":[]}\n");
  }

  @Test
  void describeShowsMembersThenOffsetsAndLag() {
    cli.clients.groupDescriptions.put("billing", billing());

    CliRunner.Result result = cli.run("group", "describe", "billing");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "group billing  state RECONCILING  epoch 4  assignor sticky  members 2\n"
                + "\n"
                + "MEMBER  INSTANCE  CLIENT      PARTITIONS\n"
                + "m-1     -         quorum-cli  orders-0,orders-1\n"
                + "m-2     web-2     app         -\n"
                + "\n"
                + "TOPIC   PARTITION  COMMITTED  END  LAG\n"
                + "orders  0          3          -    -\n"
                + "orders  1          5          9    4\n");
  }

  @Test
  void describeAsOneJsonObject() {
    cli.clients.groupDescriptions.put("billing", billing());

    CliRunner.Result result = cli.run("group", "describe", "billing", "--format", "json");

    assertThat(result.out())
        .isEqualTo(
            "{\"groupId\":\"billing\",\"state\":\"RECONCILING\",\"groupEpoch\":4,"
                + "\"assignor\":\"sticky\",\"members\":["
                + "{\"memberId\":\"m-1\",\"instanceId\":null,\"clientId\":\"quorum-cli\","
                + "\"assignment\":[\"orders-0\",\"orders-1\"],\"target\":[\"orders-0\"]},"
                + "{\"memberId\":\"m-2\",\"instanceId\":\"web-2\",\"clientId\":\"app\","
                + "\"assignment\":[],\"target\":[\"orders-1\"]}],"
                + "\"offsets\":["
                + "{\"topic\":\"orders\",\"partition\":0,\"committedOffset\":3,"
                + "\"endOffset\":null,\"lag\":null},"
                + "{\"topic\":\"orders\",\"partition\":1,\"committedOffset\":5,"
                + "\"endOffset\":9,\"lag\":4}]}\n");
  }

  @Test
  void describeAnUnknownGroupExits1() {
    CliRunner.Result result = cli.run("group", "describe", "nobody");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo("error: group nobody not found\n");
  }

  @ParameterizedTest
  @CsvSource({
    "--to-earliest, earliest, 0, 0",
    "--to-latest, latest, 2, 1",
    "'--to-offset=1', offset 1, 1, 1",
    "'--to-datetime=2026-11-22T10:00:00Z', datetime 2026-11-22T10:00:00Z, 2, 1"
  })
  void resetPrintsTheNewOffsetOfEveryPartition(
      String option, String spec, long offset0, long offset1) {
    givenOrders();

    CliRunner.Result result = cli.run("group", "reset", "billing", "--topic", "orders", option);

    assertThat(result.exitCode()).isZero();
    assertThat(cli.clients.resets).containsExactly("billing orders " + spec);
    assertThat(result.out())
        .isEqualTo(
            "TOPIC   PARTITION  NEW-OFFSET\n"
                + "orders  0          "
                + offset0
                + "\n"
                + "orders  1          "
                + offset1
                + "\n");
  }

  @Test
  void resetNeedsExactlyOneTarget() {
    givenOrders();

    CliRunner.Result none = cli.run("group", "reset", "billing", "--topic", "orders");
    CliRunner.Result two =
        cli.run("group", "reset", "billing", "--topic", "orders", "--to-earliest", "--to-latest");
    CliRunner.Result offsetAndTime =
        cli.run(
            "group",
            "reset",
            "billing",
            "--topic",
            "orders",
            "--to-offset",
            "3",
            "--to-datetime",
            "2026-11-22T10:00:00Z");

    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err())
        .contains("Missing required argument")
        .contains("--to-earliest")
        .contains("--to-datetime");
    assertThat(two.exitCode()).isEqualTo(2);
    assertThat(two.err()).contains("mutually exclusive");
    assertThat(offsetAndTime.exitCode()).isEqualTo(2);
    assertThat(offsetAndTime.err()).contains("mutually exclusive");
    assertThat(cli.clients.resets).isEmpty();
  }

  @Test
  void resetValidatesItsArguments() {
    givenOrders();

    CliRunner.Result noTopic = cli.run("group", "reset", "billing", "--to-earliest");
    CliRunner.Result negative =
        cli.run("group", "reset", "billing", "--topic", "orders", "--to-offset", "-1");
    CliRunner.Result badTime =
        cli.run("group", "reset", "billing", "--topic", "orders", "--to-datetime", "yesterday");

    assertThat(noTopic.exitCode()).isEqualTo(2);
    assertThat(noTopic.err()).contains("Missing required option: '--topic=TOPIC'");
    assertThat(negative.exitCode()).isEqualTo(2);
    assertThat(negative.err()).contains("--to-offset must not be negative");
    assertThat(badTime.exitCode()).isEqualTo(2);
    assertThat(badTime.err()).contains("'yesterday' is not an ISO-8601 instant");
    assertThat(cli.clients.resets).isEmpty();
  }

  @Test
  void resetOfAGroupWithMembersExits1WithTheBrokersMessage() {
    givenOrders();
    cli.clients.groupHasMembers = true;

    CliRunner.Result result =
        cli.run("group", "reset", "billing", "--topic", "orders", "--to-earliest");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("error: group billing has 1 members; stop them first\n");
  }

  @Test
  void missingSubcommandIsAUsageError() {
    CliRunner.Result result = cli.run("group");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("missing subcommand: list, describe or reset");
  }

  private void givenOrders() {
    cli.clients.topic(
        "orders",
        2,
        record("orders", 0, 0, "a"),
        record("orders", 0, 1, "b"),
        record("orders", 1, 0, "c"));
  }

  private static GroupDescription billing() {
    return new GroupDescription(
        "billing",
        "RECONCILING",
        4,
        "sticky",
        List.of(
            new GroupMember(
                "m-1", null, "quorum-cli", Set.of(ORDERS_1, ORDERS_0), Set.of(ORDERS_0)),
            new GroupMember("m-2", "web-2", "app", Set.of(), Set.of(ORDERS_1))),
        List.of(new PartitionLag(ORDERS_1, 5, 9, 4), new PartitionLag(ORDERS_0, 3, -1, -1)));
  }
}
