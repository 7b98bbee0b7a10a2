package dev.quorum.chaos.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.chaos.cluster.InProcessCluster;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Recorder;
import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The final drain is what unseen-after-drain judges by, so it must reach the end of the log. A
 * producer that stopped inside a transaction holds read_committed readers at that transaction's
 * first offset until its coordinator aborts it; the drain must wait for that, not stop there.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DrainIT {
  @TempDir Path dir;

  @Test
  void aReadCommittedDrainReadsPastATransactionLeftOpenUntilItTimesOut() {
    TopicPartition p0 = new TopicPartition(Workload.TOPIC, 0);
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, 1);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      assertThat(TryRunner.create(admin, new NewTopic(Workload.TOPIC, 1, 3))).isTrue();
      try (Producer first = abandoned(cluster, "abandoned-1");
          Producer last = abandoned(cluster, "abandoned-2");
          Producer plain =
              Producer.create(ProducerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
        first.send(record("open-1")).join();
        plain.send(record("after")).join();
        last.send(record("open-2")).join(); // the log ends inside a transaction

        Recorder recorder = new Recorder();
        boolean drained =
            TryRunner.drain(cluster.bootstrap(), admin, recorder, List.of(p0), true, null);

        assertThat(drained).isTrue();
        assertThat(recorder.history().ops())
            .flatExtracting(op -> op.reads())
            .extracting(Msg::value)
            .containsExactly("after");
      }
    }
  }

  /** A producer inside a transaction that it will never end: its coordinator aborts it in 3 s. */
  private static Producer abandoned(InProcessCluster cluster, String transactionalId) {
    Producer producer = transactional(cluster, transactionalId);
    producer.beginTransaction();
    return producer;
  }

  /** A transactional producer whose transactions time out after 3 s, ready to begin one. */
  static Producer transactional(InProcessCluster cluster, String transactionalId) {
    Producer producer =
        Producer.create(
            ProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .transactionalId(transactionalId)
                .transactionTimeout(Duration.ofSeconds(3))
                .build());
    producer.initTransactions();
    return producer;
  }

  private static ProducerRecord record(String value) {
    return ProducerRecord.builder(Workload.TOPIC)
        .partition(0)
        .value(value.getBytes(StandardCharsets.UTF_8))
        .build();
  }
}
