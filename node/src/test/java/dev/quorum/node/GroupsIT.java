package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.FencedMemberException;
import dev.quorum.client.GroupDescription;
import dev.quorum.client.GroupNotEmptyException;
import dev.quorum.client.NewTopic;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.OffsetResetSpec;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RebalanceListener;
import dev.quorum.client.TopicPartition;
import dev.quorum.client.UnknownMemberException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Consumer groups on three in-JVM nodes, through the client library. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GroupsIT {
  @TempDir static Path dir;
  private TestCluster cluster;
  private Admin admin;
  private final List<Consumer> consumers = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    cluster = TestCluster.start(dir, 3);
    admin = Admin.create(AdminConfig.builder().bootstrap(cluster.bootstrap()).build());
    cluster.awaitAllNodesUp(admin);
  }

  @AfterAll
  void stopCluster() {
    for (Consumer consumer : consumers) {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        // a fenced or abandoned member may fail to commit on close
      }
    }
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyGroupGetsEveryRecordAndWithinAGroupEachRecordGoesToOneMember() throws Exception {
    admin.createTopic(new NewTopic("events", 4, 3));
    Consumer billing1 = member("billing", Duration.ofSeconds(10), null);
    Consumer billing2 = member("billing", Duration.ofSeconds(10), null);
    Consumer audit = member("audit", Duration.ofSeconds(10), null);
    for (Consumer c : List.of(billing1, billing2, audit)) {
      c.subscribe(List.of("events"));
    }
    awaitPolling(
        "both billing members own partitions",
        () ->
            !billing1.assignment().isEmpty()
                && !billing2.assignment().isEmpty()
                && !audit.assignment().isEmpty(),
        billing1,
        billing2,
        audit);

    produce("events", 0, 200);
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    List<String> audited = new ArrayList<>();
    await(
        "both groups received every record",
        () -> {
          values(billing1.poll(Duration.ofMillis(100)), first);
          values(billing2.poll(Duration.ofMillis(100)), second);
          values(audit.poll(Duration.ofMillis(100)), audited);
          return first.size() + second.size() >= 200 && audited.size() >= 200;
        });
    assertThat(first).doesNotHaveDuplicates().doesNotContainAnyElementsOf(second);
    assertThat(union(first, second)).hasSize(200);
    assertThat(audited).doesNotHaveDuplicates().hasSize(200);
  }

  @Test
  void aCrashedMembersPartitionsMoveAndItCanNoLongerCommit() throws Exception {
    admin.createTopic(new NewTopic("work", 4, 3));
    Consumer survivor = member("workers", Duration.ofSeconds(2), null);
    survivor.subscribe(List.of("work"));
    // The other member runs in a JVM of its own, so that it can really stop: SIGSTOP, then SIGCONT
    // to make it a zombie that wakes up believing it still owns its partitions.
    try (GroupMemberProcess.Handle crashed =
        new GroupMemberProcess.Handle(
            cluster.bootstrap(),
            "workers",
            "work",
            Duration.ofSeconds(2),
            dir.resolve("crashed-member.log"))) {
      awaitPolling(
          "both members own two partitions",
          () -> survivor.assignment().size() == 2 && crashed.owned().size() == 2,
          survivor);

      produce("work", 0, 100);
      List<String> seen = new ArrayList<>();
      await(
          "the first hundred are consumed and committed",
          () -> {
            values(survivor.poll(Duration.ofMillis(100)), seen);
            return union(seen, crashed.values()).size() >= 100 && crashed.committedWhatItSaw();
          });
      survivor.commitSync();
      int stolen = crashed.owned().iterator().next();

      // Its partitions must move to the survivor once its session runs out, and the survivor
      // resumes at the committed offsets: it sees every record produced afterwards.
      crashed.signal("STOP");
      produce("work", 100, 100);
      List<String> after = new ArrayList<>();
      await(
          "the survivor owns every partition and got every new record",
          () -> {
            values(survivor.poll(Duration.ofMillis(200)), after);
            return survivor.assignment().size() == 4 && new HashSet<>(after).size() >= 100;
          });
      assertThat(new HashSet<>(after)).containsAll(range(100, 100));

      // Awake again, it may still hand out records it fetched before the pause; whatever it
      // commits first, its own commit or the one asked for here, must be refused.
      int mark = crashed.linesPrinted();
      crashed.send("commit work " + stolen + " 0");
      crashed.signal("CONT");
      try {
        await(
            "the zombie's first commit is answered", () -> crashed.printed(mark, "commit") != null);
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + "; "
                + crashed
                + "; its log:\n"
                + java.nio.file.Files.readString(dir.resolve("crashed-member.log")),
            e);
      }
      assertThat(crashed.printed(mark, "commit"))
          .as("the zombie's first commit")
          .isIn(
              "commit-failed " + FencedMemberException.class.getSimpleName(),
              "commit-failed " + UnknownMemberException.class.getSimpleName(),
              // It noticed first that it was dropped: a commit without membership.
              "commit-failed " + GroupNotEmptyException.class.getSimpleName());
      survivor.commitSync();
      TopicPartition stolenPartition = new TopicPartition("work", stolen);
      GroupDescription group = admin.describeGroup("workers");
      assertThat(group.offsets())
          .filteredOn(lag -> lag.partition().equals(stolenPartition))
          .singleElement()
          .satisfies(lag -> assertThat(lag.committedOffset()).isGreaterThan(0));
    }
  }

  @Test
  void committedOffsetsSurviveACoordinatorFailover() throws Exception {
    admin.createTopic(new NewTopic("durable", 1, 3));
    produce("durable", 0, 100);
    // Manual commits only: closing must not move the committed offset past 50.
    Consumer first =
        Consumer.create(
            ConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .groupId("failover")
                .enableAutoCommit(false)
                .autoOffsetReset(OffsetResetPolicy.EARLIEST)
                .build());
    consumers.add(first);
    first.subscribe(List.of("durable"));
    List<String> seen = new ArrayList<>();
    await(
        "50 records are consumed",
        () -> {
          values(first.poll(Duration.ofMillis(100)), seen);
          return seen.size() >= 50;
        });
    TopicPartition partition = new TopicPartition("durable", 0);
    first.commitSync(Map.of(partition, 50L));
    first.close();
    consumers.remove(first);

    int coordinator =
        admin
            .describeTopic(GroupCoordinator.TOPIC)
            .partitions()
            .get(GroupCoordinator.partitionOf("failover"))
            .leader();
    cluster.stop(coordinator);
    try {
      Consumer second = member("failover", Duration.ofSeconds(10), null);
      second.subscribe(List.of("durable"));
      List<ConsumerRecord> resumed = new ArrayList<>();
      await(
          "the new member resumes",
          () -> {
            resumed.addAll(second.poll(Duration.ofMillis(200)));
            return !resumed.isEmpty();
          });
      assertThat(resumed.get(0).offset()).isEqualTo(50);
    } finally {
      cluster.start(coordinator);
      cluster.awaitAllNodesUp(admin);
    }
  }

  @Test
  void offsetsCanBeResetWhileTheGroupIsEmpty() throws Exception {
    admin.createTopic(new NewTopic("replay", 2, 3));
    produce("replay", 0, 20);
    Consumer consumer = member("replayers", Duration.ofSeconds(10), null);
    consumer.subscribe(List.of("replay"));
    List<String> seen = new ArrayList<>();
    await(
        "everything is consumed",
        () -> {
          values(consumer.poll(Duration.ofMillis(100)), seen);
          return seen.size() >= 20;
        });
    consumer.commitSync();
    assertThatThrownBy(() -> admin.resetOffsets("replayers", "replay", OffsetResetSpec.earliest()))
        .isInstanceOf(GroupNotEmptyException.class);
    consumer.close();
    consumers.remove(consumer);
    assertThat(admin.describeGroup("replayers").offsets())
        .allSatisfy(lag -> assertThat(lag.lag()).isZero());

    Map<TopicPartition, Long> reset =
        admin.resetOffsets("replayers", "replay", OffsetResetSpec.earliest());
    assertThat(reset.values()).containsOnly(0L);
    assertThat(admin.describeGroup("replayers").offsets())
        .extracting(lag -> lag.lag())
        .containsExactlyInAnyOrderElementsOf(
            admin.describeTopic("replay").partitions().stream().map(p -> p.endOffset()).toList());

    Consumer again = member("replayers", Duration.ofSeconds(10), null);
    again.subscribe(List.of("replay"));
    List<String> replayed = new ArrayList<>();
    await(
        "everything is consumed again",
        () -> {
          values(again.poll(Duration.ofMillis(100)), replayed);
          return replayed.size() >= 20;
        });
    assertThat(replayed).containsExactlyInAnyOrderElementsOf(range(0, 20));

    again.close();
    consumers.remove(again);
    admin.resetOffsets("replayers", "replay", OffsetResetSpec.toOffset(5));
    admin.resetOffsets(
        "replayers", "replay", OffsetResetSpec.toDatetime(Instant.now().plusSeconds(3600)));
    assertThat(admin.describeGroup("replayers").offsets())
        .allSatisfy(l -> assertThat(l.lag()).isZero());
  }

  @Test
  void aFourthMemberTakesOnlyItsShareWhileTheOthersKeepTheirPartitions() throws Exception {
    admin.createTopic(new NewTopic("twelve", 12, 3));
    List<Set<TopicPartition>> revoked = new ArrayList<>();
    List<Consumer> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Set<TopicPartition> mine = new HashSet<>();
      revoked.add(mine);
      Consumer c = member("scale", Duration.ofSeconds(10), null);
      c.subscribe(List.of("twelve"), recordRevoked(mine));
      members.add(c);
    }
    awaitPolling(
        "three members with four partitions each",
        () -> members.stream().allMatch(c -> c.assignment().size() == 4),
        members.toArray(Consumer[]::new));
    revoked.forEach(Set::clear);
    List<Set<TopicPartition>> before =
        members.stream().map(c -> Set.copyOf(c.assignment())).toList();

    Consumer fourth = member("scale", Duration.ofSeconds(10), null);
    fourth.subscribe(List.of("twelve"));
    members.add(fourth);
    awaitPolling(
        "four members with three partitions each",
        () -> members.stream().allMatch(c -> c.assignment().size() == 3),
        members.toArray(Consumer[]::new));

    int moved = revoked.stream().mapToInt(Set::size).sum();
    assertThat(moved).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(before.get(i)).containsAll(members.get(i).assignment());
    }
  }

  @Test
  void aStaticMemberRestartingWithinItsSessionGetsItsPartitionsBackAndNobodyElseMoves()
      throws Exception {
    admin.createTopic(new NewTopic("static", 4, 3));
    Set<TopicPartition> otherRevoked = new HashSet<>();
    Consumer first = member("statics", Duration.ofSeconds(20), "instance-a");
    Consumer other = member("statics", Duration.ofSeconds(20), "instance-b");
    first.subscribe(List.of("static"));
    other.subscribe(List.of("static"), recordRevoked(otherRevoked));
    awaitPolling(
        "two partitions each",
        () -> first.assignment().size() == 2 && other.assignment().size() == 2,
        first,
        other);
    Set<TopicPartition> before = Set.copyOf(first.assignment());
    otherRevoked.clear();

    first.close();
    consumers.remove(first);
    Consumer restarted = member("statics", Duration.ofSeconds(20), "instance-a");
    restarted.subscribe(List.of("static"));
    awaitPolling(
        "the restarted member owns its partitions again",
        () -> restarted.assignment().equals(before),
        restarted,
        other);
    assertThat(otherRevoked).isEmpty();
    assertThat(admin.describeGroup("statics").members()).hasSize(2);
  }

  @Test
  void aPatternSubscriptionPicksUpTopicsCreatedLater() throws Exception {
    Consumer consumer = member("patterns", Duration.ofSeconds(10), null);
    consumer.subscribe(java.util.regex.Pattern.compile("pat-.*"), recordRevoked(new HashSet<>()));
    admin.createTopic(new NewTopic("pat-one", 2, 3));
    admin.createTopic(new NewTopic("other", 1, 3));
    produce("pat-one", 0, 10);
    produce("other", 0, 10);
    List<ConsumerRecord> records = new ArrayList<>();
    await(
        "the first matching topic is consumed",
        () -> {
          records.addAll(consumer.poll(Duration.ofMillis(100)));
          return records.size() >= 10;
        });
    admin.createTopic(new NewTopic("pat-two", 2, 3));
    produce("pat-two", 100, 10);
    await(
        "the later matching topic is consumed too",
        () -> {
          records.addAll(consumer.poll(Duration.ofMillis(100)));
          return records.size() >= 20;
        });
    assertThat(records).extracting(ConsumerRecord::topic).containsOnly("pat-one", "pat-two");
    assertThat(records).hasSize(20);
  }

  private static RebalanceListener recordRevoked(Set<TopicPartition> into) {
    return new RebalanceListener() {
      @Override
      public void onPartitionsRevoked(Consumer consumer, Collection<TopicPartition> partitions) {
        into.addAll(partitions);
      }

      @Override
      public void onPartitionsAssigned(Consumer consumer, Collection<TopicPartition> partitions) {}
    };
  }

  private Consumer member(String group, Duration session, String instanceId) {
    ConsumerConfig.Builder config =
        ConsumerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .groupId(group)
            .sessionTimeout(session)
            .autoOffsetReset(OffsetResetPolicy.EARLIEST);
    if (instanceId != null) {
      config.groupInstanceId(instanceId);
    }
    Consumer consumer = Consumer.create(config.build());
    consumers.add(consumer);
    return consumer;
  }

  private void produce(String topic, int from, int count) throws Exception {
    try (Producer producer =
        Producer.create(ProducerConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      for (int i = from; i < from + count; i++) {
        byte[] value = ("" + i).getBytes(StandardCharsets.UTF_8);
        // Keyed, so the records spread over every partition.
        producer.send(ProducerRecord.of(topic, value, value));
      }
      producer.flush();
    }
  }

  private static void values(List<ConsumerRecord> records, List<String> into) {
    records.forEach(r -> into.add(new String(r.value(), StandardCharsets.UTF_8)));
  }

  private static Set<String> union(List<String> a, List<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private static List<String> range(int from, int count) {
    List<String> values = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      values.add("" + i);
    }
    return values;
  }

  /** Polls every consumer in turn (assignments change only in poll) until the condition holds. */
  private static void awaitPolling(String what, BooleanSupplier condition, Consumer... polled) {
    await(
        what,
        () -> {
          for (Consumer c : polled) {
            c.poll(Duration.ofMillis(50));
          }
          return condition.getAsBoolean();
        });
  }

  private static void await(String what, BooleanSupplier condition) {
    TestCluster.await(what, Duration.ofSeconds(60), condition);
  }
}
