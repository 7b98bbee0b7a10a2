package dev.quorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.ClusterStatus;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.NodeState;
import dev.quorum.client.PartitionDescription;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicDescription;
import dev.quorum.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerCliTest {
  private final CliRunner cli = new CliRunner();

  @Test
  void missingBootstrapIsAUsageError() {
    CliRunner.Result result = cli.run("topic", "list");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no bootstrap: pass --bootstrap or set QUORUM_BOOTSTRAP");
    assertThat(cli.clients.bootstraps).isEmpty();
  }

  @Test
  void bootstrapComesFromTheEnvironment() {
    cli.bootstrap("127.0.0.1:7101");

    assertThat(cli.run("topic", "list").exitCode()).isZero();
    assertThat(cli.clients.bootstraps).containsExactly("127.0.0.1:7101");
  }

  @Test
  void bootstrapOptionWinsAndIsAcceptedAfterTheSubcommand() {
    cli.bootstrap("127.0.0.1:1");

    assertThat(cli.run("--bootstrap", "127.0.0.1:7101", "topic", "list").exitCode()).isZero();
    assertThat(cli.run("topic", "list", "--bootstrap", "127.0.0.1:7102").exitCode()).isZero();
    assertThat(cli.clients.bootstraps).containsExactly("127.0.0.1:7101", "127.0.0.1:7102");
  }

  @Test
  void unknownOptionsAndMissingArgumentsExit2() {
    cli.bootstrap("127.0.0.1:7101");

    assertThat(cli.run("topic", "create", "orders", "--partitions", "3").exitCode()).isEqualTo(2);
    assertThat(cli.run("consume", "orders", "--bogus").exitCode()).isEqualTo(2);
    assertThat(cli.run("consume", "orders", "--timeout", "10").err()).contains("is not a duration");
    assertThat(cli.run("nonsense").exitCode()).isEqualTo(2);
    assertThat(cli.run().exitCode()).isEqualTo(2);
  }

  @Test
  void createTopic() {
    cli.bootstrap("127.0.0.1:7101");

    CliRunner.Result result =
        cli.run("topic", "create", "orders", "--partitions", "3", "--replicas", "3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo("created topic orders with 3 partitions, replication factor 3\n");
    assertThat(cli.clients.createdTopics).hasSize(1);
    assertThat(cli.clients.createdTopics.get(0).maxMessageBytes()).isNull();
    assertThat(cli.clients.closed).isTrue();
  }

  @Test
  void brokerErrorsPrintTheMessageAndExit1() {
    cli.bootstrap("127.0.0.1:7101");

    CliRunner.Result result = cli.run("topic", "describe", "missing");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo("error: unknown topic missing\n");
  }

  @Test
  void describeTopicAsTextAndJson() {
    cli.bootstrap("127.0.0.1:7101");
    cli.clients.descriptions.put(
        "orders",
        new TopicDescription(
            "orders",
            7,
            1024,
            List.of(
                new PartitionDescription(0, 1, List.of(1, 2, 3), 0, 12),
                new PartitionDescription(1, null, List.of(2, 3, 1), 5, 5))));

    CliRunner.Result text = cli.run("topic", "describe", "orders");
    CliRunner.Result json = cli.run("topic", "describe", "orders", "--format", "json");

    assertThat(text.out())
        .isEqualTo(
            "topic orders  id 7  partitions 2  max message bytes 1024\n"
                + "PARTITION  LEADER  REPLICAS  START  END\n"
                + "0          1       1,2,3     0      12\n"
                + "1          none    2,3,1     5      5\n");
    assertThat(json.out())
        .isEqualTo(
            "{\"name\":\"orders\",\"topicId\":7,\"maxMessageBytes\":1024,\"partitions\":["
                + "{\"partition\":0,\"leader\":1,\"replicas\":[1,2,3],\"startOffset\":0,\"endOffset\":12},"
                + "{\"partition\":1,\"leader\":null,\"replicas\":[2,3,1],\"startOffset\":5,\"endOffset\":5}]}\n");
  }

  @Test
  void produceSplitsKeysAndReportsTheCount() {
    cli.bootstrap("127.0.0.1:7101").stdin("k1:hello\nk2:wor:ld\nno key\n");

    CliRunner.Result result = cli.run("produce", "orders", "--key-separator", ":");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEqualTo("produced 3 records\n");
    List<ProducerRecord> sent = cli.clients.sent;
    assertThat(sent).extracting(r -> text(r.key())).containsExactly("k1", "k2", null);
    assertThat(sent).extracting(r -> text(r.value())).containsExactly("hello", "wor:ld", "no key");
    assertThat(sent).extracting(ProducerRecord::partition).containsOnlyNulls();
    assertThat(cli.clients.producerFlushed).isTrue();
  }

  @Test
  void produceToAPartitionWithoutKeys() {
    cli.bootstrap("127.0.0.1:7101").stdin("k1:hello\n");

    assertThat(cli.run("produce", "orders", "--partition", "2").exitCode()).isZero();
    assertThat(cli.clients.sent.get(0).partition()).isEqualTo(2);
    assertThat(cli.clients.sent.get(0).key()).isNull();
    assertThat(text(cli.clients.sent.get(0).value())).isEqualTo("k1:hello");
  }

  @Test
  void produceTriesEveryRecordAndExits1WhenOneFailed() {
    cli.bootstrap("127.0.0.1:7101").stdin("a\nbig\nc\n");
    cli.clients.failSend = r -> text(r.value()).equals("big");

    CliRunner.Result result = cli.run("produce", "orders");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(cli.clients.sent).hasSize(3);
    assertThat(result.err())
        .contains("error: line 2: record too large")
        .contains("produced 2 records");
  }

  @Test
  void consumeFromBeginningStopsAtMaxMessages() {
    cli.bootstrap("127.0.0.1:7101");
    givenTopic(
        "orders",
        2,
        record("orders", 0, 0, "k1", "a"),
        record("orders", 1, 0, null, "b"),
        record("orders", 1, 1, "k3", "c"));

    CliRunner.Result result =
        cli.run("consume", "orders", "--from-beginning", "--max-messages", "2", "--print-key");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("k1:a\n:b\n");
    assertThat(result.err()).isEqualTo("consumed 2 records\n");
    assertThat(cli.clients.consumerCalls)
        .containsExactly(
            "assign [orders-0, orders-1]", "seekToBeginning [orders-0, orders-1]", "close");
  }

  @Test
  void consumeStopsAfterTheIdleTimeout() {
    cli.bootstrap("127.0.0.1:7101");
    givenTopic("orders", 1, record("orders", 0, 0, null, "a"));

    CliRunner.Result result =
        cli.run("consume", "orders", "--from-beginning", "--timeout", "200ms", "--format", "json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "{\"topic\":\"orders\",\"partition\":0,\"offset\":0,\"timestamp\":0,\"key\":null,"
                + "\"value\":\"a\",\"headers\":{}}\n");
    assertThat(result.err()).isEqualTo("consumed 1 records\n");
  }

  @Test
  void consumeFromAnOffsetOfOnePartition() {
    cli.bootstrap("127.0.0.1:7101");
    givenTopic("orders", 2, record("orders", 1, 0, null, "a"), record("orders", 1, 1, null, "b"));

    CliRunner.Result result =
        cli.run("consume", "orders", "--partition", "1", "--offset", "1", "--timeout", "100ms");

    assertThat(result.out()).isEqualTo("b\n");
    assertThat(cli.clients.consumerCalls)
        .containsExactly("assign [orders-1]", "seek orders-1 1", "close");
  }

  @Test
  void consumeByDefaultStartsAtTheEnd() {
    cli.bootstrap("127.0.0.1:7101");
    givenTopic("orders", 1, record("orders", 0, 0, null, "old"));

    CliRunner.Result result = cli.run("consume", "orders", "--timeout", "100ms");

    assertThat(result.out()).isEmpty();
    assertThat(cli.clients.consumerCalls).contains("seekToEnd [orders-0]");
  }

  @Test
  void consumeValidatesItsOptions() {
    cli.bootstrap("127.0.0.1:7101");
    givenTopic("orders", 2);

    assertThat(cli.run("consume", "orders", "--offset", "3").err())
        .contains("--offset needs --partition");
    assertThat(cli.run("consume", "orders", "--offset", "3").exitCode()).isEqualTo(2);
    CliRunner.Result noSuchPartition =
        cli.run("consume", "orders", "--partition", "5", "--timeout", "1s");
    assertThat(noSuchPartition.exitCode()).isEqualTo(1);
    assertThat(noSuchPartition.err()).contains("has 2 partitions; there is no partition 5");
  }

  @Test
  void clusterStatusTableAndHealthCheck() {
    cli.bootstrap("127.0.0.1:7101");
    cli.clients.clusterStatus =
        new ClusterStatus(
            "c-1",
            List.of(
                new NodeState(
                    1,
                    "127.0.0.1",
                    7101,
                    true,
                    true,
                    List.of(new TopicPartition("orders", 1), new TopicPartition("orders", 0))),
                new NodeState(2, "127.0.0.1", 7102, false, false, List.of())));

    CliRunner.Result text = cli.run("cluster", "status");
    CliRunner.Result strict = cli.run("cluster", "status", "--require-healthy");
    CliRunner.Result json = cli.run("cluster", "status", "--format", "json");

    assertThat(text.exitCode()).isZero();
    assertThat(text.out())
        .isEqualTo(
            "cluster c-1\n"
                + "NODE  ADDRESS         STATUS  METADATA  LEADS\n"
                + "1     127.0.0.1:7101  up      leader    orders-0,orders-1\n"
                + "2     127.0.0.1:7102  down    -         -\n");
    assertThat(strict.exitCode()).isEqualTo(1);
    assertThat(strict.err()).contains("cluster not healthy: node(s) 2 down");
    assertThat(json.out())
        .isEqualTo(
            "{\"clusterId\":\"c-1\",\"healthy\":false,\"nodes\":["
                + "{\"id\":1,\"address\":\"127.0.0.1:7101\",\"up\":true,\"metadataLeader\":true,"
                + "\"leaderOf\":[\"orders-1\",\"orders-0\"]},"
                + "{\"id\":2,\"address\":\"127.0.0.1:7102\",\"up\":false,\"metadataLeader\":false,"
                + "\"leaderOf\":[]}]}\n");
  }

  private void givenTopic(String name, int partitions, ConsumerRecord... records) {
    List<PartitionDescription> described = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      described.add(new PartitionDescription(p, 1, List.of(1), 0, 0));
    }
    cli.clients.descriptions.put(name, new TopicDescription(name, 1, 1024, described));
    cli.clients.topics.put(name, List.of(records));
  }

  private static ConsumerRecord record(
      String topic, int partition, long offset, String key, String value) {
    return new ConsumerRecord(
        topic,
        partition,
        offset,
        0,
        key == null ? null : key.getBytes(UTF_8),
        value.getBytes(UTF_8),
        List.of());
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, UTF_8);
  }
}
