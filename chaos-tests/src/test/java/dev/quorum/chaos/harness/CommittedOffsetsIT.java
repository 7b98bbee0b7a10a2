package dev.quorum.chaos.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.chaos.cluster.InProcessCluster;
import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.ConsumerGroupMetadata;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.TransactionDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * consume-once judges the processing group's committed offsets against the outputs the drain read.
 * Offsets a transaction stores in the group's partition count only once its commit marker lands
 * there, which can be after the output partition's marker; the final state must read them then, not
 * as they were before.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CommittedOffsetsIT {
  @TempDir Path dir;

  @Test
  void theFinalStateReadsTheGroupsOffsetsOnlyOnceNoTransactionHoldsSomePending() {
    TopicPartition p0 = new TopicPartition(Workload.TOPIC, 0);
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, 1);
        Admin admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build());
        Producer abandoned = DrainIT.transactional(cluster, "abandoned");
        Producer committing = DrainIT.transactional(cluster, "committing")) {
      assertThat(TryRunner.create(admin, new NewTopic(Workload.TOPIC, 1, 3))).isTrue();
      assertThat(TryRunner.create(admin, new NewTopic(Workload.OUTPUT, 1, 3))).isTrue();

      // Offsets of a transaction its producer left open: pending until its coordinator aborts it.
      process(abandoned, p0, 7);
      Map<Integer, Long> whileOpen = read(cluster, p0);
      TransactionDescription afterRead = admin.describeTransaction("abandoned");
      assertThat(
              afterRead.state().equals("PREPARE_ABORT")
                  || afterRead.lastOutcome().equals("ABORTED"))
          .as("the read returned only once the transaction was aborted: %s", afterRead)
          .isTrue();
      assertThat(whileOpen).isEmpty();

      // Offsets of a transaction committing while they are read count as committed.
      process(committing, p0, 9);
      CompletableFuture<Map<Integer, Long>> duringCommit =
          CompletableFuture.supplyAsync(() -> read(cluster, p0));
      committing.commitTransaction();
      assertThat(duringCommit.join()).isEqualTo(Map.of(0, 9L));
    }
  }

  /** Opens a transaction with an output and the processing group's offset {@code offset}. */
  private static void process(Producer producer, TopicPartition input, long offset) {
    producer.beginTransaction();
    producer.send(
        ProducerRecord.builder(Workload.OUTPUT)
            .partition(0)
            .value("x:in".getBytes(StandardCharsets.UTF_8))
            .build());
    producer.sendOffsetsToTransaction(
        Map.of(input, offset), new ConsumerGroupMetadata(Workload.PROCESSING_GROUP, "", 0));
  }

  private static Map<Integer, Long> read(InProcessCluster cluster, TopicPartition input) {
    return TryRunner.committedOffsets(
        cluster.bootstrap(), Workload.PROCESSING_GROUP, List.of(input));
  }
}
