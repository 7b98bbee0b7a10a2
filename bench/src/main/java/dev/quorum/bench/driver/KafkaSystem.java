package dev.quorum.bench.driver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka through kafka-clients, configured like the team's peer baseline: RF=3,
 * min.insync.replicas=2, acks=all, idempotence on, broker defaults (no fsync on the write path).
 */
final class KafkaSystem implements BenchSystem {
  private final String bootstrap;
  private final AdminClient admin;

  KafkaSystem(String bootstrap) {
    this.bootstrap = bootstrap;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.admin = AdminClient.create(p);
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public void createTopic(String topic, int partitions) {
    NewTopic t =
        new NewTopic(topic, partitions, (short) 3).configs(Map.of("min.insync.replicas", "2"));
    get(() -> admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (fullyReplicated(topic) < partitions) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + topic + " did not get a full ISR in 60 s");
      }
      Pause.millis(200);
    }
  }

  private int fullyReplicated(String topic) {
    try {
      int n = 0;
      for (TopicPartitionInfo p : describe(topic).partitions()) {
        if (p.leader() != null && p.isr().size() == 3) {
          n++;
        }
      }
      return n;
    } catch (RuntimeException e) {
      return 0; // not known to every broker yet
    }
  }

  private TopicDescription describe(String topic) {
    return get(() -> admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS))
        .get(topic);
  }

  @Override
  public void deleteTopic(String topic) {
    get(() -> admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS));
  }

  @Override
  public int leaderOf(String topic, int partition) {
    Node leader = describe(topic).partitions().get(partition).leader();
    return leader == null || leader.isEmpty() ? -1 : leader.id();
  }

  @Override
  public int partitionsWithLeader(String topic) {
    int n = 0;
    for (TopicPartitionInfo p : describe(topic).partitions()) {
      if (p.leader() != null && !p.leader().isEmpty()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public Sender newSender(SenderSettings settings) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(settings.linger().toMillis()));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(settings.batchBytes()));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
    return new Sender() {
      @Override
      public void send(String topic, byte[] value, Ack ack) {
        producer.send(
            new ProducerRecord<>(topic, value),
            (md, failure) -> ack.done(System.nanoTime(), failure));
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
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
    List<TopicPartition> partitions = new ArrayList<>();
    for (TopicPartitionInfo info : describe(topic).partitions()) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return new Reader() {
      @Override
      public int poll(Duration timeout, Consumer<byte[]> each) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
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
    admin.close(Duration.ofSeconds(10));
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T get(Call<T> call) {
    try {
      return call.call();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
