package dev.quorum.bench.driver;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.NewTopic;
import dev.quorum.client.NodeState;
import dev.quorum.client.PartitionDescription;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Quorum through its client library, with the producer's defaults except what the workload sets.
 */
final class QuorumSystem implements BenchSystem {
  private final String bootstrap;
  private final Admin admin;

  QuorumSystem(String bootstrap) {
    this.bootstrap = bootstrap;
    this.admin = Admin.create(AdminConfig.builder().bootstrap(bootstrap).build());
  }

  /**
   * Batches per partition in flight: the client's default (16; Kafka's client keeps 5 requests per
   * connection) unless {@code BENCH_QUORUM_MAX_IN_FLIGHT} says otherwise ({@code 1} measures the
   * producer as it was before pipelining, {@code 5} as it was before the deeper default).
   */
  private static final int MAX_IN_FLIGHT =
      Integer.parseInt(System.getenv().getOrDefault("BENCH_QUORUM_MAX_IN_FLIGHT", "16"));

  @Override
  public String name() {
    return "quorum";
  }

  @Override
  public void createTopic(String topic, int partitions) {
    // Creates and waits until every partition has a leader.
    admin.createTopic(new NewTopic(topic, partitions, 3));
  }

  @Override
  public void deleteTopic(String topic) {
    admin.deleteTopic(topic);
  }

  @Override
  public int leaderOf(String topic, int partition) {
    Integer leader = admin.describeTopic(topic).partitions().get(partition).leader();
    return leader == null ? -1 : leader;
  }

  /**
   * Counts the partitions some node reports leading (cluster status). The topic description is not
   * enough: for a partition without a local replica a node names the preferred replica.
   */
  @Override
  public int partitionsWithLeader(String topic) {
    Set<Integer> led = new HashSet<>();
    for (NodeState node : admin.clusterStatus().nodes()) {
      for (TopicPartition tp : node.leaderOf()) {
        if (tp.topic().equals(topic)) {
          led.add(tp.partition());
        }
      }
    }
    return led.size();
  }

  @Override
  public Sender newSender(SenderSettings settings) {
    Producer producer =
        Producer.create(
            ProducerConfig.builder()
                .bootstrap(bootstrap)
                .linger(settings.linger())
                .batchSize(settings.batchBytes())
                .enableIdempotence(true)
                .maxInFlight(MAX_IN_FLIGHT)
                .build());
    return new Sender() {
      @Override
      public void send(String topic, byte[] value, Ack ack) {
        producer
            .send(ProducerRecord.of(topic, value))
            .whenComplete((md, failure) -> ack.done(System.nanoTime(), failure));
      }

      @Override
      public void flush() {
        producer.flush();
      }

      @Override
      public void close(Duration timeout) {
        producer.close(timeout);
      }
    };
  }

  @Override
  public Reader newReader(String topic) {
    dev.quorum.client.Consumer consumer =
        dev.quorum.client.Consumer.create(ConsumerConfig.builder().bootstrap(bootstrap).build());
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionDescription p : admin.describeTopic(topic).partitions()) {
      partitions.add(new TopicPartition(topic, p.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return new Reader() {
      @Override
      public int poll(Duration timeout, Consumer<byte[]> each) {
        int n = 0;
        for (ConsumerRecord r : consumer.poll(timeout)) {
          each.accept(r.value());
          n++;
        }
        return n;
      }

      @Override
      public void close() {
        consumer.close();
      }
    };
  }

  @Override
  public void close() {
    admin.close();
  }
}
