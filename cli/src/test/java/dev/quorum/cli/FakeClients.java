package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.BrokerException;
import dev.quorum.client.ClusterStatus;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.GroupDescription;
import dev.quorum.client.GroupListing;
import dev.quorum.client.GroupNotEmptyException;
import dev.quorum.client.GroupNotFoundException;
import dev.quorum.client.NewTopic;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.OffsetResetSpec;
import dev.quorum.client.PartitionDescription;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RebalanceListener;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.TopicDescription;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Pattern;

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
  final List<GroupListing> groups = new ArrayList<>();
  final Map<String, dev.quorum.client.TransactionDescription> transactions = new TreeMap<>();
  final List<dev.quorum.client.ProducerDescription> producers = new ArrayList<>();
  final List<String> aborted = new ArrayList<>();
  final Map<String, GroupDescription> groupDescriptions = new HashMap<>();

  /** The group's committed offsets: what a member starts at, and what closing one commits. */
  final Map<TopicPartition, Long> committed = new HashMap<>();

  final List<String> resets = new ArrayList<>();
  final List<GroupSettings> groupSettings = new ArrayList<>();
  boolean groupHasMembers;

  /** Runs at the start of every poll, e.g. to send the process a signal mid-consume. */
  Runnable onPoll = () -> {};

  boolean producerFlushed;
  final List<String> transactionEvents = new ArrayList<>();
  final List<dev.quorum.client.IsolationLevel> isolations = new ArrayList<>();
  String producerTransactionalId;
  boolean closed;

  /** Creates topic {@code name} with the given partitions holding {@code records}. */
  FakeClients topic(String name, int partitions, ConsumerRecord... records) {
    List<PartitionDescription> described = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      described.add(new PartitionDescription(p, 1, List.of(1), 0, 0));
    }
    descriptions.put(name, new TopicDescription(name, 1, 1024, described));
    topics.put(name, List.of(records));
    return this;
  }

  static ConsumerRecord record(String topic, int partition, long offset, String value) {
    return new ConsumerRecord(
        topic, partition, offset, 0, null, value.getBytes(StandardCharsets.UTF_8), List.of());
  }

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
      public List<dev.quorum.client.TransactionDescription> listTransactions() {
        return new ArrayList<>(transactions.values());
      }

      @Override
      public dev.quorum.client.TransactionDescription describeTransaction(String id) {
        var t = transactions.get(id);
        if (t == null) {
          throw new dev.quorum.client.InvalidTransactionalIdException("unknown " + id);
        }
        return t;
      }

      @Override
      public List<dev.quorum.client.ProducerDescription> describeProducers(TopicPartition tp) {
        return producers.stream().filter(p -> p.partition().equals(tp)).toList();
      }

      @Override
      public List<dev.quorum.client.ProducerDescription> findHangingTransactions() {
        return producers.stream().filter(p -> p.transactionOpen()).toList();
      }

      @Override
      public void abortTransaction(TopicPartition tp, long producerId, int producerEpoch) {
        if (producers.stream()
            .noneMatch(
                p ->
                    p.partition().equals(tp)
                        && p.producerId() == producerId
                        && p.transactionEpoch() == producerEpoch)) {
          throw new dev.quorum.client.InvalidTxnStateException(
              "producer " + producerId + " has no open transaction of epoch " + producerEpoch);
        }
        aborted.add(tp + " " + producerId + " " + producerEpoch);
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
      public List<GroupListing> listGroups() {
        return List.copyOf(groups);
      }

      @Override
      public GroupDescription describeGroup(String groupId) {
        GroupDescription d = groupDescriptions.get(groupId);
        if (d == null) {
          throw new GroupNotFoundException("group " + groupId + " not found");
        }
        return d;
      }

      @Override
      public Map<TopicPartition, Long> resetOffsets(
          String groupId, String topic, OffsetResetSpec spec) {
        resets.add(groupId + " " + topic + " " + spec);
        if (groupHasMembers) {
          throw new GroupNotEmptyException("group " + groupId + " has 1 members; stop them first");
        }
        Map<TopicPartition, Long> result = new TreeMap<>(Partitions.ORDER);
        for (int p = 0; p < describeTopic(topic).partitions().size(); p++) {
          TopicPartition tp = new TopicPartition(topic, p);
          long end = endOffset(tp);
          long offset =
              switch (spec.kind()) {
                case EARLIEST -> 0;
                case LATEST, DATETIME -> end;
                case OFFSET -> Math.min(spec.offset(), end);
              };
          result.put(tp, offset);
        }
        committed.putAll(result);
        return result;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  @Override
  public Producer producer(String bootstrap, Duration requestTimeout, String transactionalId) {
    producerTransactionalId = transactionalId;
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
      public dev.quorum.client.RecordMetadata sendWithOffsets(
          TopicPartition output,
          List<ProducerRecord> records,
          String owner,
          Map<TopicPartition, dev.quorum.client.SourceOffsetUpdate> offsets) {
        throw new UnsupportedOperationException("not used by the CLI");
      }

      @Override
      public Map<TopicPartition, Long> sourceOffsets(TopicPartition output, String owner) {
        throw new UnsupportedOperationException("not used by the CLI");
      }

      @Override
      public void initTransactions() {
        transactionEvents.add("init");
      }

      @Override
      public void beginTransaction() {
        transactionEvents.add("begin");
      }

      @Override
      public void sendOffsetsToTransaction(
          java.util.Map<TopicPartition, Long> offsets,
          dev.quorum.client.ConsumerGroupMetadata group) {
        transactionEvents.add("offsets");
      }

      @Override
      public void commitTransaction() {
        transactionEvents.add("commit " + sent.size());
      }

      @Override
      public void abortTransaction() {
        transactionEvents.add("abort " + sent.size());
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
  public Consumer consumer(
      String bootstrap, Duration requestTimeout, dev.quorum.client.IsolationLevel isolation) {
    isolations.add(isolation);
    bootstraps.add(bootstrap);
    return new FakeConsumer(null);
  }

  @Override
  public Consumer groupConsumer(
      String bootstrap,
      Duration requestTimeout,
      GroupSettings group,
      dev.quorum.client.IsolationLevel isolation) {
    isolations.add(isolation);
    bootstraps.add(bootstrap);
    groupSettings.add(group);
    return new FakeConsumer(group);
  }

  private List<ConsumerRecord> records(String topic) {
    return topics.getOrDefault(topic, List.of());
  }

  private long endOffset(TopicPartition p) {
    return records(p.topic()).stream().filter(r -> r.partition() == p.partition()).count();
  }

  /**
   * Serves the records of {@link #topics}, one partition's worth per poll at most. As a group
   * member it is the only member: it gets every partition of the subscribed topics, starting at
   * {@link #committed} offsets, and commits its positions on close.
   */
  private final class FakeConsumer implements Consumer {
    private final GroupSettings group;
    private final Set<TopicPartition> assignment = new LinkedHashSet<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private RebalanceListener listener;
    private boolean assignmentAnnounced;

    FakeConsumer(GroupSettings group) {
      this.group = group;
    }

    @Override
    public dev.quorum.client.ConsumerGroupMetadata groupMetadata() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void subscribe(Collection<String> subscribed) {
      subscribe(subscribed, null);
    }

    @Override
    public void subscribe(Collection<String> subscribed, RebalanceListener listener) {
      if (group == null) {
        throw new IllegalStateException("subscribe needs a groupId");
      }
      consumerCalls.add("subscribe " + subscribed);
      this.listener = listener;
      assignment.clear();
      for (String topic : subscribed) {
        for (int p = 0; p < partitionCount(topic); p++) {
          TopicPartition tp = new TopicPartition(topic, p);
          assignment.add(tp);
          Long start = committed.get(tp);
          if (start == null) {
            start = group.autoOffsetReset() == OffsetResetPolicy.EARLIEST ? 0 : endOffset(tp);
          }
          positions.put(tp, start);
        }
      }
    }

    @Override
    public void subscribe(Pattern pattern, RebalanceListener listener) {
      throw new UnsupportedOperationException("the CLI subscribes to one topic by name");
    }

    @Override
    public void unsubscribe() {
      consumerCalls.add("unsubscribe");
      assignment.clear();
    }

    @Override
    public void commitSync() {
      Map<TopicPartition, Long> offsets = new HashMap<>();
      assignment.forEach(tp -> offsets.put(tp, positions.get(tp)));
      commitSync(offsets);
    }

    @Override
    public void commitSync(Map<TopicPartition, Long> offsets) {
      Map<TopicPartition, Long> sorted = new TreeMap<>(Partitions.ORDER);
      sorted.putAll(offsets);
      consumerCalls.add("commit " + sorted);
      committed.putAll(offsets);
    }

    @Override
    public CompletableFuture<Void> commitAsync() {
      commitSync();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<TopicPartition, Long> committed(Set<TopicPartition> partitions) {
      Map<TopicPartition, Long> result = new HashMap<>();
      partitions.forEach(
          tp -> {
            if (committed.containsKey(tp)) {
              result.put(tp, committed.get(tp));
            }
          });
      return result;
    }

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
      onPoll.run();
      if (listener != null && !assignmentAnnounced) {
        assignmentAnnounced = true;
        listener.onPartitionsAssigned(this, List.copyOf(assignment));
      }
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
      if (group != null && !assignment.isEmpty()) {
        commitSync(); // auto-commit on close
      }
      consumerCalls.add("close");
      closed = true;
    }
  }
}
