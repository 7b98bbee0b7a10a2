package dev.quorum.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.ReplicaStatus;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes are separate processes started by {@code scripts/cluster}. The leader of a partition is
 * killed with SIGKILL while a producer writes to it: every acknowledged record must still be there,
 * no record may be there twice (the producer is idempotent), the records must be stored in send
 * order although the producer keeps several batches in flight, producing must resume, and the
 * killed node must catch up after a restart.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LeaderKillIT {
  private static final Duration STEP = Duration.ofSeconds(120);

  @TempDir Path work;
  private ScriptCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.cluster(STEP, "stop");
      cluster.killLeftovers();
    }
  }

  @Test
  void noAcknowledgedRecordIsLostOrDuplicatedWhenThePartitionLeaderIsKilledRepeatedly()
      throws Exception {
    cluster = new ScriptCluster(work, 3);
    var started = cluster.cluster(STEP, "start");
    assertThat(started.exitCode()).as("%s\n%s", started, cluster.diagnostics()).isZero();
    String bootstrap = cluster.bootstrap();

    try (Admin admin = Admin.create(AdminConfig.builder().bootstrap(bootstrap).build())) {
      admin.createTopic(new NewTopic("kill", 1, 3));

      Map<String, RecordMetadata> acked = new ConcurrentHashMap<>();
      AtomicLong ackedAfterKill = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      ProducerConfig config =
          ProducerConfig.builder()
              .bootstrap(bootstrap)
              .linger(Duration.ofMillis(2))
              // Small batches, so that several of the partition's batches are in flight when the
              // leader dies: a retried one must not be overtaken by a later one.
              .batchSize(512)
              .maxInFlight(5)
              .deliveryTimeout(Duration.ofSeconds(60))
              .build();
      try (Producer producer = Producer.create(config)) {
        CompletableFuture<Void> writer =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    String value = "r" + i;
                    producer
                        .send(ProducerRecord.of("kill", value.getBytes(StandardCharsets.UTF_8)))
                        .thenAccept(
                            ack -> {
                              acked.put(value, ack);
                              ackedAfterKill.incrementAndGet();
                            });
                    if (i % 50 == 49) {
                      producer.flush();
                    }
                  }
                  producer.flush();
                });
        try {
          await("records are acknowledged", () -> acked.size() >= 500);
          // Three rounds: kill the current leader mid-produce, see producing resume on the new
          // one, bring the killed node back (a majority must stay up for the next round).
          for (int round = 0; round < 3; round++) {
            int leader = currentLeader(admin);
            var kill = cluster.cluster(STEP, "kill", String.valueOf(leader));
            assertThat(kill.exitCode()).as("%s", kill).isZero();
            ackedAfterKill.set(0);
            await(
                "producing resumes after leader " + leader + " was killed",
                () -> ackedAfterKill.get() >= 300);
            var restart = cluster.cluster(STEP, "restart", String.valueOf(leader));
            assertThat(restart.exitCode()).as("%s\n%s", restart, cluster.diagnostics()).isZero();
          }
        } finally {
          stop.set(true);
        }
        writer.get(90, TimeUnit.SECONDS);
      }

      List<String> consumed = consumeAll(bootstrap, admin);
      Set<String> lost = new HashSet<>(acked.keySet());
      lost.removeAll(consumed);
      assertThat(lost).as("acknowledged but missing after the leader was killed").isEmpty();
      // The producer is idempotent: retries across the failovers never wrote a record twice,
      // and its records are stored in send order (contiguous sequences, no reordering).
      assertThat(consumed).as("records stored more than once").doesNotHaveDuplicates();
      List<Integer> sent = consumed.stream().map(v -> Integer.parseInt(v.substring(1))).toList();
      assertThat(sent).as("records out of send order").isSorted();

      long end = admin.describeTopic("kill").partitions().get(0).endOffset();
      for (int node = 1; node <= 3; node++) {
        int n = node;
        await("node " + n + " holds the whole log", () -> endOffsetOn(n) == end);
      }
    }
  }

  private List<String> consumeAll(String bootstrap, Admin admin) {
    TopicPartition partition = new TopicPartition("kill", 0);
    long end = admin.describeTopic("kill").partitions().get(0).endOffset();
    List<String> values = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    try (Consumer consumer =
        Consumer.create(ConsumerConfig.builder().bootstrap(bootstrap).build())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord record : consumer.poll(Duration.ofMillis(500))) {
          values.add(new String(record.value(), StandardCharsets.UTF_8));
          offsets.add(record.offset());
        }
      }
    }
    // Dense offsets: nothing in the middle of the log went missing either.
    for (int i = 0; i < offsets.size(); i++) {
      assertThat(offsets.get(i)).isEqualTo(i);
    }
    assertThat((long) offsets.size()).isEqualTo(end);
    return values;
  }

  /** The partition's leader; waits while there is none (an election after a restart). */
  private static int currentLeader(Admin admin) {
    AtomicReference<Integer> leader = new AtomicReference<>();
    await(
        "the partition has a leader",
        () -> {
          leader.set(admin.describeTopic("kill").partitions().get(0).leader());
          return leader.get() != null;
        });
    return leader.get();
  }

  /** The end offset of the node's own replica, asked of that node directly. */
  private long endOffsetOn(int node) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", cluster.basePort + node).usePlaintext().build();
    try {
      return BrokerGrpc.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance())
          .getReplicasList()
          .stream()
          .filter(r -> r.getTopic().equals("kill"))
          .mapToLong(ReplicaStatus::getEndOffset)
          .findFirst()
          .orElse(-1);
    } catch (RuntimeException e) {
      return -1;
    } finally {
      channel.shutdownNow();
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }
}
