package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.IsolationLevel;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.TransactionDescription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransactionsCliTest {
  private final CliRunner cli = new CliRunner().bootstrap("127.0.0.1:7101");

  @Test
  void transactionalProduceCommitsTheInputInTransactionsOfAtMostTheGivenLines() {
    cli.stdin("a\nb\nc\n");

    CliRunner.Result result =
        cli.run("produce", "orders", "--transactional-id", "loader", "--transaction-lines", "2");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEqualTo("produced 3 records\n");
    assertThat(cli.clients.producerTransactionalId).isEqualTo("loader");
    // The whole input is available at once: batches of two lines, then the rest.
    assertThat(cli.clients.transactionEvents)
        .containsExactly("init", "begin", "commit 2", "begin", "commit 3");
  }

  @Test
  void aTransactionWithAFailedRecordIsAbortedAndAllItsLinesCountAsFailed() {
    cli.stdin("a\nbig\nc\n");
    cli.clients.failSend = r -> new String(r.value(), StandardCharsets.UTF_8).equals("big");

    CliRunner.Result result = cli.run("produce", "orders", "--transactional-id", "loader");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(cli.clients.transactionEvents).containsExactly("init", "begin", "abort 3");
    assertThat(result.err())
        .contains("error: line 2: record too large")
        .contains("error: lines 1-3: transaction aborted")
        .contains("produced 0 records");
  }

  @Test
  void consumeAsksForTheIsolationLevel() {
    cli.run(
        "consume",
        "orders",
        "--isolation",
        "read_committed",
        "--max-messages",
        "1",
        "--timeout",
        "10ms");
    cli.run("consume", "orders", "--max-messages", "1", "--timeout", "10ms");

    assertThat(cli.clients.isolations)
        .containsExactly(IsolationLevel.READ_COMMITTED, IsolationLevel.READ_UNCOMMITTED);
    CliRunner.Result bad = cli.run("consume", "orders", "--isolation", "serializable");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("'serializable' is not read_committed or read_uncommitted");
  }

  @Test
  void transactionsListAndDescribeShowOpenTransactions() {
    cli.clients.transactions.put(
        "loader",
        new TransactionDescription(
            "loader",
            42,
            7,
            "ONGOING",
            Set.of(new TopicPartition("orders", 1)),
            Instant.parse("2026-11-22T10:00:00Z"),
            Duration.ofMinutes(1),
            2,
            "COMMITTED"));

    CliRunner.Result list = cli.run("transactions", "list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("loader").contains("ONGOING").contains("2026-11-22T10:00:00Z");

    CliRunner.Result json = cli.run("transactions", "describe", "loader", "--format", "json");
    assertThat(json.out())
        .contains("\"producerEpoch\":7")
        .contains("\"partitions\":[\"orders-1\"]")
        .contains("\"lastOutcome\":\"COMMITTED\"");

    CliRunner.Result missing = cli.run("transactions", "describe", "nobody");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("unknown nobody");
  }
}
