package dev.quorum.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walkthrough of the README, through the real scripts and processes: start a 3-node cluster,
 * create a topic, produce and consume, kill -9 a node and keep working, restart it, stop
 * everything.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ScriptsSmokeIT {
  private static final Duration START = Duration.ofSeconds(150);
  private static final Duration CLI = Duration.ofSeconds(60);
  // A produce right after a leader died retries until the partition elected a new leader.
  private static final Duration PRODUCE_AFTER_FAILURE = Duration.ofSeconds(150);
  private static final Duration STOP = Duration.ofSeconds(90);
  private static final Pattern KEY_VALUE =
      Pattern.compile("\"key\":(?:null|\"([^\"]*)\"),\"value\":\"([^\"]*)\"");

  @TempDir Path workDir;
  private ScriptCluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new ScriptCluster(workDir, 3);
  }

  @AfterEach
  void stopEverything() {
    if (!Files.exists(cluster.dir.resolve("cluster.env"))) {
      return; // start failed before it created the cluster: nothing was launched
    }
    ScriptCluster.Result stop;
    try {
      stop = cluster.cluster(STOP, "stop");
    } finally {
      List<Long> survivors = cluster.livePids();
      cluster.killLeftovers();
      assertThat(survivors).as("node processes still alive after scripts/cluster stop").isEmpty();
    }
    assertThat(stop.exitCode()).as("%s", stop).isZero();
  }

  @Test
  void walkthroughSurvivesAKilledNode() throws IOException {
    ScriptCluster.Result start = cluster.cluster(START, "start");
    assertSucceeded(start);
    String bootstrap =
        "127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d"
            .formatted(cluster.basePort + 1, cluster.basePort + 2, cluster.basePort + 3);
    assertThat(start.stdout()).as("%s", start).contains("bootstrap: " + bootstrap);
    assertThat(Files.readString(cluster.dir.resolve("bootstrap"), StandardCharsets.UTF_8).trim())
        .isEqualTo(bootstrap);

    ScriptCluster.Result create =
        cluster.broker(CLI, "", "topic", "create", "smoke", "--partitions", "3", "--replicas", "3");
    assertSucceeded(create);
    assertThat(create.stdout())
        .contains("created topic smoke with 3 partitions, replication factor 3");

    produce(CLI, "k1:v1\nk2:v2\nk3:v3\n", 3);
    assertThat(consume(3))
        .containsExactlyInAnyOrderEntriesOf(Map.of("k1", "v1", "k2", "v2", "k3", "v3"));

    assertSucceeded(cluster.cluster(CLI, "kill", "2"));
    produce(PRODUCE_AFTER_FAILURE, "k4:v4\nk5:v5\n", 2);
    Map<String, String> all = Map.of("k1", "v1", "k2", "v2", "k3", "v3", "k4", "v4", "k5", "v5");
    assertThat(consume(5)).containsExactlyInAnyOrderEntriesOf(all);

    assertSucceeded(cluster.cluster(START, "restart", "2"));
    ScriptCluster.Result status = cluster.cluster(CLI, "status");
    assertSucceeded(status);
    assertThat(status.stdout()).doesNotContain("stopped").doesNotContain("down");
    assertThat(consume(5)).containsExactlyInAnyOrderEntriesOf(all);

    // A consumer group reads everything once, commits, shows no lag, and can be reset to replay.
    assertThat(consume(5, "--group", "smokers")).containsExactlyInAnyOrderEntriesOf(all);
    ScriptCluster.Result describe =
        cluster.broker(CLI, "", "group", "describe", "smokers", "--format", "json");
    assertSucceeded(describe);
    assertThat(describe.stdout()).contains("\"lag\":0").doesNotContain("\"lag\":1");
    assertSucceeded(
        cluster.broker(CLI, "", "group", "reset", "smokers", "--topic", "smoke", "--to-earliest"));
    assertThat(consume(5, "--group", "smokers")).containsExactlyInAnyOrderEntriesOf(all);

    // A transactional load is visible to read_committed consumers once committed.
    produce(CLI, "k6:v6\nk7:v7\n", 2, "--transactional-id", "smoke-loader");
    Map<String, String> withTransaction = new LinkedHashMap<>(all);
    withTransaction.putAll(Map.of("k6", "v6", "k7", "v7"));
    assertThat(consume(7, "--isolation", "read_committed"))
        .containsExactlyInAnyOrderEntriesOf(withTransaction);
    ScriptCluster.Result transaction =
        cluster.broker(CLI, "", "transactions", "describe", "smoke-loader", "--format", "json");
    assertSucceeded(transaction);
    assertThat(transaction.stdout())
        .contains("\"state\":\"EMPTY\"")
        .contains("\"lastOutcome\":\"COMMITTED\"");

    // The same data directories under a different cluster id must be refused, loudly and quickly.
    assertSucceeded(cluster.cluster(STOP, "stop"));
    Path env = cluster.dir.resolve("cluster.env");
    String original = cluster.readClusterEnv().get("CLUSTER_ID");
    Files.writeString(
        env,
        Files.readString(env, StandardCharsets.UTF_8)
            .replace("CLUSTER_ID=" + original, "CLUSTER_ID=" + UUID.randomUUID()),
        StandardCharsets.UTF_8);
    ScriptCluster.Result foreign =
        cluster.cluster(START, Map.of("QUORUM_START_TIMEOUT", "60"), "start");
    assertThat(foreign.exitCode()).as("%s", foreign).isNotZero();
    assertThat(foreign.stderr()).as("%s", foreign).contains("exited during startup");
    assertThat(cluster.livePids()).as("nodes left running after a failed start").isEmpty();
  }

  private void produce(Duration timeout, String lines, int count, String... options) {
    List<String> args =
        new java.util.ArrayList<>(List.of("produce", "smoke", "--key-separator", ":"));
    args.addAll(List.of(options));
    ScriptCluster.Result produce = cluster.broker(timeout, lines, args.toArray(String[]::new));
    assertSucceeded(produce);
    assertThat(produce.stderr()).as("%s", produce).contains("produced " + count + " records");
  }

  /** Consumes COUNT records from the beginning and returns them as key to value. */
  private Map<String, String> consume(int count, String... options) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "consume",
                "smoke",
                "--from-beginning",
                "--max-messages",
                Integer.toString(count),
                "--timeout",
                "30s",
                "--format",
                "json"));
    args.addAll(List.of(options));
    ScriptCluster.Result consume = cluster.broker(CLI, "", args.toArray(String[]::new));
    assertSucceeded(consume);
    Map<String, String> records = new LinkedHashMap<>();
    for (String line : consume.stdout().strip().split("\n")) {
      Matcher m = KEY_VALUE.matcher(line);
      assertThat(m.find()).as("not a record: %s\n%s", line, consume).isTrue();
      records.put(m.group(1), m.group(2));
    }
    assertThat(records).as("%s", consume).hasSize(count);
    return records;
  }

  private void assertSucceeded(ScriptCluster.Result result) {
    assertThat(result.exitCode()).as("%s%s", result, cluster.diagnostics()).isZero();
  }
}
