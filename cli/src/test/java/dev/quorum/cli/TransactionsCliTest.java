package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.IsolationLevel;
import dev.quorum.client.ProducerDescription;
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

  @Test
  void hangingTransactionsAreFoundShownAndAborted() {
    TopicPartition orders0 = new TopicPartition("orders", 0);
    cli.clients.producers.add(
        new ProducerDescription(orders0, 9, 0, 0, Instant.parse("2026-11-22T10:00:00Z"), 0, 12));
    cli.clients.producers.add(
        new ProducerDescription(orders0, 10, 3, 41, Instant.parse("2026-11-22T10:05:00Z"), -1, -1));

    CliRunner.Result producers = cli.run("transactions", "producers", "orders", "--partition", "0");
    assertThat(producers.exitCode()).isZero();
    assertThat(producers.out()).contains("orders-0").contains("41").contains("12");

    CliRunner.Result hanging = cli.run("transactions", "find-hanging", "--format", "json");
    assertThat(hanging.out())
        .contains("\"producerId\":9")
        .contains("\"transactionFirstOffset\":12")
        .doesNotContain("\"producerId\":10");

    CliRunner.Result abort =
        cli.run(
            "transactions",
            "abort",
            "orders",
            "--partition",
            "0",
            "--producer-id",
            "9",
            "--producer-epoch",
            "0");
    assertThat(abort.exitCode()).isZero();
    assertThat(abort.out()).contains("aborted the transaction of producer 9 epoch 0 in orders-0");
    assertThat(cli.clients.aborted).containsExactly("orders-0 9 0");

    CliRunner.Result wrong =
        cli.run(
            "transactions",
            "abort",
            "orders",
            "--partition",
            "0",
            "--producer-id",
            "10",
            "--producer-epoch",
            "3");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err()).contains("no open transaction of epoch 3");
  }
}
