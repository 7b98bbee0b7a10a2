package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.BrokerException;
import dev.quorum.client.ClusterStatus;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicDescription;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** In-memory stand-ins for the client library, recording what the CLI asked of them. */
final class FakeClients implements ClientFactory {
  final List<String> bootstraps = new ArrayList<>();
  final List<NewTopic> createdTopics = new ArrayList<>();
  final List<ProducerRecord> sent = new ArrayList<>();
  final Map<String, List<ConsumerRecord>> topics = new HashMap<>();
  final Map<String, TopicDescription> descriptions = new HashMap<>();
  final List<String> consumerCalls = new ArrayList<>();
  Predicate<ProducerRecord> failSend = r -> false;
  ClusterStatus clusterStatus;
  boolean producerFlushed;
  boolean closed;

  @Override
  public Admin admin(String bootstrap, Duration requestTimeout) {
    bootstraps.add(bootstrap);
    return new Admin() {
      @Override
      public TopicDescription createTopic(NewTopic topic) {
        createdTopics.add(topic);
        return new TopicDescription(topic.name(), 1, 1024, List.of());
      }

      @Override
      public void deleteTopic(String name) {
        if (descriptions.remove(name) == null) {
          throw new UnknownTopicException("unknown topic " + name);
        }
      }

      @Override
      public List<String> listTopics() {
        return new ArrayList<>(descriptions.keySet());
      }

      @Override
      public TopicDescription describeTopic(String name) {
        TopicDescription d = descriptions.get(name);
        if (d == null) {
          throw new UnknownTopicException("unknown topic " + name);
        }
        return d;
      }

      @Override
      public ClusterStatus clusterStatus() {
        return clusterStatus;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  @Override
  public Producer producer(String bootstrap, Duration requestTimeout) {
    bootstraps.add(bootstrap);
    return new Producer() {
      @Override
      public CompletableFuture<RecordMetadata> send(ProducerRecord record) {
        sent.add(record);
        if (failSend.test(record)) {
          return CompletableFuture.failedFuture(new BrokerException("record too large"));
        }
        return CompletableFuture.completedFuture(
            new RecordMetadata(record.topic(), 0, sent.size() - 1, 0));
      }

      @Override
      public void flush() {
        producerFlushed = true;
      }

      @Override
      public void close() {
        closed = true;
      }

      @Override
      public void close(Duration timeout) {
        closed = true;
      }
    };
  }

  @Override
  public Consumer consumer(String bootstrap, Duration requestTimeout) {
    bootstraps.add(bootstrap);
    return new FakeConsumer();
  }

  /** Serves the records of {@link #topics}, one partition's worth per poll at most. */
  private final class FakeConsumer implements Consumer {
    private final Set<TopicPartition> assignment = new LinkedHashSet<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    @Override
    public void assign(Collection<TopicPartition> partitions) {
      assignment.clear();
      assignment.addAll(partitions);
      consumerCalls.add("assign " + partitions);
    }

    @Override
    public Set<TopicPartition> assignment() {
      return Set.copyOf(assignment);
    }

    @Override
    public void seek(TopicPartition partition, long offset) {
      positions.put(partition, offset);
      consumerCalls.add("seek " + partition + " " + offset);
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
      partitions.forEach(p -> positions.put(p, 0L));
      consumerCalls.add("seekToBeginning " + partitions);
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
      partitions.forEach(p -> positions.put(p, endOffset(p)));
      consumerCalls.add("seekToEnd " + partitions);
    }

    @Override
    public long position(TopicPartition partition) {
      return positions.get(partition);
    }

    @Override
    public List<ConsumerRecord> poll(Duration timeout) {
      for (TopicPartition tp : assignment) {
        List<ConsumerRecord> batch = new ArrayList<>();
        for (ConsumerRecord r : records(tp.topic())) {
          if (r.partition() == tp.partition() && r.offset() >= positions.get(tp)) {
            batch.add(r);
          }
        }
        if (!batch.isEmpty()) {
          positions.put(tp, batch.get(batch.size() - 1).offset() + 1);
          return batch;
        }
      }
      return List.of();
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
      Map<TopicPartition, Long> result = new HashMap<>();
      partitions.forEach(p -> result.put(p, endOffset(p)));
      return result;
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
      Map<TopicPartition, Long> result = new HashMap<>();
      partitions.forEach(p -> result.put(p, 0L));
      return result;
    }

    @Override
    public Map<TopicPartition, Long> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
      return Map.of();
    }

    @Override
    public int partitionCount(String topic) {
      TopicDescription d = descriptions.get(topic);
      if (d == null) {
        throw new UnknownTopicException("unknown topic " + topic);
      }
      return d.partitions().size();
    }

    @Override
    public void close() {
      closed = true;
    }

    private List<ConsumerRecord> records(String topic) {
      return topics.getOrDefault(topic, List.of());
    }

    private long endOffset(TopicPartition p) {
      return records(p.topic()).stream().filter(r -> r.partition() == p.partition()).count();
    }
  }
}
