package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.InvalidPartitionsException;
import dev.quorum.client.InvalidReplicationFactorException;
import dev.quorum.client.InvalidTopicException;
import dev.quorum.client.NewTopic;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.RecordTooLargeException;
import dev.quorum.client.TopicDescription;
import dev.quorum.client.TopicExistsException;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownTopicException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes in this JVM, used through the client library as an application would. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerClusterIT {
  @TempDir static Path dir;
  private TestCluster cluster;
  private Admin admin;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = TestCluster.start(dir, 3);
    admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build());
    cluster.awaitAllNodesUp(admin);
  }

  @AfterAll
  void stopCluster() {
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void tenThousandRecordsComeBackOnceEachInProduceOrderPerKey() throws Exception {
    admin.createTopic(new NewTopic("orders", 3, 3));
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    try (Producer producer = Producer.create(producerConfig())) {
      for (int i = 0; i < 10_000; i++) {
        acks.add(
            producer.send(ProducerRecord.of("orders", bytes("key-" + (i % 10)), bytes("" + i))));
      }
      producer.flush();
    }
    Map<Integer, RecordMetadata> acked = new HashMap<>();
    for (int i = 0; i < acks.size(); i++) {
      acked.put(i, acks.get(i).get(10, TimeUnit.SECONDS));
    }

    List<ConsumerRecord> consumed = consumeAll("orders", 3, 10_000);
    assertThat(consumed).hasSize(10_000);
    Map<String, Integer> lastPerKey = new HashMap<>();
    Map<Integer, Long> nextOffset = new HashMap<>();
    for (ConsumerRecord record : consumed) {
      int value = Integer.parseInt(text(record.value()));
      RecordMetadata ack = acked.get(value);
      assertThat(record.partition()).isEqualTo(ack.partition());
      assertThat(record.offset()).isEqualTo(ack.offset());
      // Offsets within a partition are dense, and a key's records keep their produce order.
      assertThat(record.offset()).isEqualTo(nextOffset.getOrDefault(record.partition(), 0L));
      nextOffset.put(record.partition(), record.offset() + 1);
      assertThat(value).isGreaterThan(lastPerKey.getOrDefault(text(record.key()), -1));
      lastPerKey.put(text(record.key()), value);
    }
    assertThat(consumed.stream().map(r -> text(r.value())).distinct()).hasSize(10_000);
  }

  @Test
  void badTopicRequestsAreRejectedWithTheReasonAndChangeNothing() {
    List<String> before = admin.listTopics();
    assertThatThrownBy(() -> admin.createTopic(new NewTopic("no spaces!", 1, 1)))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("no spaces!");
    assertThatThrownBy(() -> admin.createTopic(new NewTopic("zero", 0, 1)))
        .isInstanceOf(InvalidPartitionsException.class)
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> admin.createTopic(new NewTopic("too-many-replicas", 1, 4)))
        .isInstanceOf(InvalidReplicationFactorException.class)
        .hasMessageContaining("3 live nodes");
    assertThatThrownBy(() -> admin.describeTopic("never-created"))
        .isInstanceOf(UnknownTopicException.class)
        .hasMessageContaining("never-created");
    assertThat(admin.listTopics()).isEqualTo(before);

    admin.createTopic(new NewTopic("dup", 1, 1));
    assertThatThrownBy(() -> admin.createTopic(new NewTopic("dup", 2, 1)))
        .isInstanceOf(TopicExistsException.class);
    assertThat(admin.describeTopic("dup").partitions()).hasSize(1);
  }

  @Test
  void recordsOverTheTopicLimitAndUnknownTopicsFailTheSendOnly() throws Exception {
    admin.createTopic(new NewTopic("small", 1, 3, 1024));
    try (Producer producer = Producer.create(producerConfig())) {
      producer.send(ProducerRecord.of("small", bytes("fits"))).get(10, TimeUnit.SECONDS);
      CompletableFuture<RecordMetadata> tooBig =
          producer.send(ProducerRecord.of("small", new byte[2048]));
      assertThatThrownBy(() -> tooBig.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(RecordTooLargeException.class)
          .hasMessageContaining("1024");
      CompletableFuture<RecordMetadata> unknown =
          producer.send(ProducerRecord.of("no-such-topic", bytes("x")));
      assertThatThrownBy(() -> unknown.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(UnknownTopicException.class);
      producer.send(ProducerRecord.of("small", bytes("still fits"))).get(10, TimeUnit.SECONDS);
    }
    assertThat(admin.describeTopic("small").partitions().get(0).endOffset()).isEqualTo(2);
  }

  @Test
  void aDeletedTopicLosesItsDataOnEveryNodeAndItsNameCanBeReused() throws Exception {
    TopicDescription old = admin.createTopic(new NewTopic("temp", 2, 3));
    try (Producer producer = Producer.create(producerConfig())) {
      producer.send(ProducerRecord.of("temp", bytes("old"))).get(10, TimeUnit.SECONDS);
    }
    List<Path> oldReplicaDirs = new ArrayList<>();
    var oldTopic =
        dev.quorum.protocol.raft.TopicRecord.newBuilder()
            .setName("temp")
            .setTopicId(old.topicId())
            .build();
    for (int node = 1; node <= 3; node++) {
      for (int p = 0; p < 2; p++) {
        var groupId = RaftGroups.partitionGroupId(cluster.clusterId(), oldTopic, p);
        oldReplicaDirs.add(
            cluster.dataDir(node).resolve("raft").resolve(groupId.getUuid().toString()));
      }
    }
    assertThat(oldReplicaDirs).allMatch(java.nio.file.Files::isDirectory);

    admin.deleteTopic("temp");
    // Any node may answer, and one may apply the deletion a moment after the one that committed it.
    TestCluster.await(
        "no node lists the topic",
        Duration.ofSeconds(10),
        () -> !admin.listTopics().contains("temp"));
    TestCluster.await(
        "every node deleted the old replicas",
        Duration.ofSeconds(30),
        () -> oldReplicaDirs.stream().noneMatch(java.nio.file.Files::exists));

    TopicDescription again = admin.createTopic(new NewTopic("temp", 2, 3));
    assertThat(again.topicId()).isNotEqualTo(old.topicId());
    assertThat(again.partitions()).allSatisfy(p -> assertThat(p.endOffset()).isZero());
  }

  @Test
  void aConsumerPastTheEndIsResetByItsPolicyAndCanSeekByTime() throws Exception {
    admin.createTopic(new NewTopic("seeking", 1, 3));
    long before = System.currentTimeMillis();
    try (Producer producer = Producer.create(producerConfig())) {
      for (int i = 0; i < 3; i++) {
        producer.send(ProducerRecord.of("seeking", bytes("v" + i))).get(10, TimeUnit.SECONDS);
      }
    }
    TopicPartition partition = new TopicPartition("seeking", 0);
    ConsumerConfig config =
        ConsumerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .autoOffsetReset(dev.quorum.client.OffsetResetPolicy.EARLIEST)
            .build();
    try (Consumer consumer = Consumer.create(config)) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, 1_000);
      List<ConsumerRecord> records = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (records.size() < 3 && System.nanoTime() < deadline) {
        records.addAll(consumer.poll(Duration.ofMillis(500)));
      }
      assertThat(records).extracting(r -> text(r.value())).containsExactly("v0", "v1", "v2");

      assertThat(consumer.offsetsForTimes(Map.of(partition, before)).get(partition)).isZero();
      Long future =
          consumer
              .offsetsForTimes(Map.of(partition, System.currentTimeMillis() + 60_000))
              .get(partition);
      assertThat(future).isNull();
      assertThat(consumer.endOffsets(List.of(partition))).containsEntry(partition, 3L);
    }
  }

  @Test
  void aProduceRequestDeliveredTwiceIsAppendedOnce() throws Exception {
    admin.createTopic(new NewTopic("twice", 1, 3));
    int leader = admin.describeTopic("twice").partitions().get(0).leader();
    io.grpc.ManagedChannel channel = cluster.channelTo(leader);
    try {
      var broker = dev.quorum.protocol.v1.BrokerGrpc.newBlockingStub(channel);
      java.util.Set<Long> ids = new java.util.HashSet<>();
      for (int node = 1; node <= 3; node++) {
        io.grpc.ManagedChannel other = cluster.channelTo(node);
        try {
          for (int i = 0; i < 3; i++) {
            ids.add(
                dev.quorum.protocol.v1.BrokerGrpc.newBlockingStub(other)
                    .initProducerId(
                        dev.quorum.protocol.v1.InitProducerIdRequest.getDefaultInstance())
                    .getProducerId());
          }
        } finally {
          other.shutdownNow();
        }
      }
      assertThat(ids).as("producer ids from every node are distinct").hasSize(9);

      long producerId = ids.iterator().next();
      var request =
          dev.quorum.protocol.v1.ProduceRequest.newBuilder()
              .addPartitions(
                  dev.quorum.protocol.v1.PartitionProduce.newBuilder()
                      .setTopic("twice")
                      .setPartition(0)
                      .setProducerId(producerId)
                      .setBaseSequence(0)
                      .addRecords(
                          dev.quorum.protocol.v1.Record.newBuilder()
                              .setValue(com.google.protobuf.ByteString.copyFromUtf8("once"))))
              .build();
      var first = broker.produce(request).getPartitions(0);
      var second = broker.produce(request).getPartitions(0);
      assertThat(first.hasError()).isFalse();
      assertThat(second.hasError()).isFalse();
      assertThat(second.getDuplicate()).isTrue();
      assertThat(second.getBaseOffset()).isEqualTo(first.getBaseOffset());
      assertThat(admin.describeTopic("twice").partitions().get(0).endOffset()).isEqualTo(1);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aRecordThatDoesNotParseIsRefusedAndNothingOfItsBatchIsStored() throws Exception {
    admin.createTopic(new NewTopic("garbled", 1, 3));
    int leader = admin.describeTopic("garbled").partitions().get(0).leader();
    io.grpc.ManagedChannel channel = cluster.channelTo(leader);
    try {
      com.google.protobuf.ByteString good =
          dev.quorum.protocol.v1.Record.newBuilder()
              .setValue(com.google.protobuf.ByteString.copyFromUtf8("fine"))
              .build()
              .toByteString();
      // A value's field that promises five bytes and holds one: what a broken client might send.
      com.google.protobuf.ByteString cut =
          com.google.protobuf.ByteString.copyFrom(new byte[] {0x22, 0x05, 'a'});
      var request =
          dev.quorum.protocol.raft.ProduceRequestView.newBuilder()
              .addPartitions(
                  dev.quorum.protocol.raft.PartitionProduceView.newBuilder()
                      .setTopic("garbled")
                      .addRecords(good)
                      .addRecords(cut))
              .build();
      // The request as a client's bytes: the view has ProduceRequest's wire form.
      var produce =
          dev.quorum.protocol.v1.BrokerGrpc.getProduceMethod().toBuilder(
                  io.grpc.protobuf.ProtoUtils.marshaller(request),
                  io.grpc.protobuf.ProtoUtils.marshaller(
                      dev.quorum.protocol.v1.ProduceResponse.getDefaultInstance()))
              .build();

      var result =
          io.grpc.stub.ClientCalls.blockingUnaryCall(
                  channel, produce, io.grpc.CallOptions.DEFAULT, request)
              .getPartitions(0);

      assertThat(result.getError().getCode())
          .isEqualTo(dev.quorum.protocol.v1.ErrorCode.INVALID_REQUEST);
      assertThat(result.getError().getMessage()).contains("record 1 for garbled-0");
      assertThat(admin.describeTopic("garbled").partitions().get(0).endOffset()).isZero();
    } finally {
      channel.shutdownNow();
    }
    try (Producer producer = Producer.create(producerConfig())) {
      RecordMetadata written =
          producer.send(ProducerRecord.of("garbled", bytes("next"))).get(30, TimeUnit.SECONDS);
      assertThat(written.offset()).isZero();
    }
    assertThat(consumeAll("garbled", 1, 1))
        .extracting(r -> text(r.value()))
        .containsExactly("next");
  }

  private List<ConsumerRecord> consumeAll(String topic, int partitions, int expected) {
    List<ConsumerRecord> records = new ArrayList<>();
    try (Consumer consumer =
        Consumer.create(ConsumerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (records.size() < expected && System.nanoTime() < deadline) {
        records.addAll(consumer.poll(Duration.ofMillis(500)));
      }
      // Nothing beyond what was produced.
      records.addAll(consumer.poll(Duration.ofMillis(300)));
    }
    records.sort(
        (a, b) ->
            a.partition() != b.partition()
                ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
    return records;
  }

  private ProducerConfig producerConfig() {
    return ProducerConfig.builder()
        .bootstrap(cluster.bootstrap())
        .deliveryTimeout(Duration.ofSeconds(30))
        .build();
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
