package dev.quorum.cli;

import static dev.quorum.cli.FakeClients.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.TopicPartition;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsumeGroupTest {
  private final CliRunner cli = new CliRunner().bootstrap("127.0.0.1:7101");

  @Test
  void subscribesAsAGroupMemberAndCommitsOnExit() {
    cli.clients.topic(
        "orders",
        2,
        record("orders", 0, 0, "a"),
        record("orders", 1, 0, "b"),
        record("orders", 1, 1, "c"));

    CliRunner.Result result =
        cli.run(
            "consume", "orders", "--group", "billing", "--from-beginning", "--max-messages", "3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("a\nb\nc\n");
    assertThat(result.err())
        .isEqualTo("group billing: assigned orders-0,orders-1\nconsumed 3 records\n");
    assertThat(cli.clients.groupSettings)
        .containsExactly(new GroupSettings("billing", null, OffsetResetPolicy.EARLIEST));
    assertThat(cli.clients.consumerCalls)
        .containsExactly("subscribe [orders]", "commit {orders-0=1, orders-1=2}", "close");
  }

  @Test
  void startsAtTheCommittedOffsetsAndOtherwiseAtTheEnd() {
    cli.clients.topic(
        "orders",
        2,
        record("orders", 0, 0, "old"),
        record("orders", 0, 1, "new"),
        record("orders", 1, 0, "skipped"));
    cli.clients.committed.put(new TopicPartition("orders", 0), 1L);

    CliRunner.Result result =
        cli.run(
            "consume",
            "orders",
            "--group",
            "billing",
            "--instance-id",
            "web-1",
            "--timeout",
            "200ms");

    assertThat(result.out()).isEqualTo("new\n");
    assertThat(cli.clients.groupSettings)
        .containsExactly(new GroupSettings("billing", "web-1", OffsetResetPolicy.LATEST));
    assertThat(cli.clients.committed)
        .containsEntry(new TopicPartition("orders", 0), 2L)
        .containsEntry(new TopicPartition("orders", 1), 1L);
  }

  @Test
  void commitsOnlyWhatItPrintedWhenMaxMessagesEndsMidBatch() {
    cli.clients.topic(
        "orders",
        1,
        record("orders", 0, 0, "a"),
        record("orders", 0, 1, "b"),
        record("orders", 0, 2, "c"),
        record("orders", 0, 3, "d"));

    CliRunner.Result result =
        cli.run(
            "consume", "orders", "--group", "billing", "--from-beginning", "--max-messages", "2");

    assertThat(result.out()).isEqualTo("a\nb\n");
    assertThat(cli.clients.consumerCalls)
        .containsExactly("subscribe [orders]", "seek orders-0 2", "commit {orders-0=2}", "close");
  }

  @Test
  void rejectsPartitionAndOffsetWithAGroup() {
    cli.clients.topic("orders", 2);

    CliRunner.Result partition =
        cli.run("consume", "orders", "--group", "g", "--partition", "1", "--timeout", "1s");
    CliRunner.Result offset =
        cli.run("consume", "orders", "--group", "g", "--partition", "1", "--offset", "5");

    for (CliRunner.Result result : new CliRunner.Result[] {partition, offset}) {
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err())
          .startsWith("--partition and --offset cannot be used with --group")
          .contains("Try 'broker consume --help'");
    }
    assertThat(cli.clients.bootstraps).isEmpty();
  }

  @Test
  void validatesTheGroupOptions() {
    cli.clients.topic("orders", 1);

    CliRunner.Result noGroup = cli.run("consume", "orders", "--instance-id", "web-1");
    CliRunner.Result blankGroup = cli.run("consume", "orders", "--group", " ");
    CliRunner.Result blankInstance =
        cli.run("consume", "orders", "--group", "g", "--instance-id", "");

    assertThat(noGroup.exitCode()).isEqualTo(2);
    assertThat(noGroup.err()).contains("--instance-id needs --group");
    assertThat(blankGroup.exitCode()).isEqualTo(2);
    assertThat(blankGroup.err()).contains("--group must not be blank");
    assertThat(blankInstance.exitCode()).isEqualTo(2);
    assertThat(blankInstance.err()).contains("--instance-id must not be blank");
    assertThat(cli.clients.bootstraps).isEmpty();
  }

  @Test
  void anUnknownTopicFailsBeforeJoining() {
    CliRunner.Result result = cli.run("consume", "missing", "--group", "g", "--timeout", "1s");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("error: unknown topic missing");
    assertThat(cli.clients.consumerCalls).containsExactly("close");
  }

  @Test
  void sigtermClosesTheMemberWhichCommitsThenExits() throws InterruptedException {
    cli.clients.topic("orders", 1, record("orders", 0, 0, "a"));
    AtomicInteger polls = new AtomicInteger();
    cli.clients.onPoll =
        () -> {
          if (polls.incrementAndGet() == 2) {
            cli.hooks.shutDown();
          }
        };

    // No --timeout and no --max-messages: only the signal ends it.
    CliRunner.Result result = cli.run("consume", "orders", "--group", "g", "--from-beginning");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("a\n");
    assertThat(result.err()).endsWith("consumed 1 records\n").containsOnlyOnce("consumed");
    assertThat(cli.clients.consumerCalls)
        .containsExactly("subscribe [orders]", "commit {orders-0=1}", "close");
    assertThat(cli.hooks.started).hasSize(1);
    Thread hook = cli.hooks.started.get(0);
    hook.join(Duration.ofSeconds(10).toMillis());
    assertThat(hook.isAlive()).as("shutdown hook still waiting").isFalse();
    assertThat(cli.hooks.registered).isEmpty();
  }

  @Test
  void sigtermAlsoEndsAPlainConsume() {
    cli.clients.topic("orders", 1, record("orders", 0, 0, "a"));
    cli.clients.onPoll = cli.hooks::shutDown;

    CliRunner.Result result = cli.run("consume", "orders", "--from-beginning");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEqualTo("consumed 1 records\n");
    assertThat(cli.clients.consumerCalls).endsWith("close");
  }
}
