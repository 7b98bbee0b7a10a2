package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.FencedMemberException;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.RebalanceListener;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.CommitOffsetsRequest;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.GroupHeartbeatRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GroupConsumerTest {
  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);
  private final FakeCluster cluster = new FakeCluster(2);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<ConsumerRecord> received = new ArrayList<>();
  private QuorumConsumer consumer;

  /** Records the callbacks as "revoked [t-1]" etc.; {@link #onRevoke} runs inside the callback. */
  private Runnable onRevoke = () -> {};

  private final RebalanceListener listener =
      new RebalanceListener() {
        @Override
        public void onPartitionsRevoked(Consumer c, Collection<TopicPartition> partitions) {
          events.add("revoked " + sorted(partitions));
          onRevoke.run();
        }

        @Override
        public void onPartitionsAssigned(Consumer c, Collection<TopicPartition> partitions) {
          events.add("assigned " + sorted(partitions));
        }

        @Override
        public void onPartitionsLost(Consumer c, Collection<TopicPartition> partitions) {
          events.add("lost " + sorted(partitions));
        }
      };

  @AfterEach
  void tearDown() {
    if (consumer != null) {
      consumer.close();
    }
    cluster.close();
  }

  private QuorumConsumer consumer(UnaryOperator<ConsumerConfig.Builder> tweak) {
    ConsumerConfig.Builder b =
        ConsumerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .groupId("g")
            .fetchMaxWait(Duration.ofMillis(10))
            .autoOffsetReset(OffsetResetPolicy.EARLIEST)
            .autoCommitInterval(Duration.ofMinutes(10));
    consumer = new QuorumConsumer(tweak.apply(b).build(), cluster.connections());
    return consumer;
  }

  private QuorumConsumer subscribed() {
    consumer(b -> b).subscribe(List.of("t"), listener);
    return consumer;
  }

  /** Polls until the condition holds, collecting records; fails after 10 s. */
  private void pollUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      received.addAll(consumer.poll(Duration.ofMillis(20)));
    }
  }

  private List<String> values() {
    return received.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }

  private static List<TopicPartition> sorted(Collection<TopicPartition> tps) {
    return tps.stream().sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
  }

  @Test
  void joinsAndConsumesFromTheCommittedOffsets() {
    cluster.createTopic("t", 1, 2);
    cluster.append(T0, "a", "b", "c", "d");
    cluster.append(T1, "x", "y");
    cluster.group("g").committed.put(T0, 2L);
    cluster.target = Set.of(T0, T1);

    subscribed();
    pollUntil("4 records", () -> received.size() >= 4);

    assertThat(values()).containsExactlyInAnyOrder("c", "d", "x", "y");
    assertThat(consumer.assignment()).containsExactlyInAnyOrder(T0, T1);
    assertThat(events).containsExactly("assigned [t-0, t-1]");
    GroupHeartbeatRequest join = cluster.heartbeats().get(0);
    assertThat(join.getMemberEpoch()).isZero();
    // The member chooses its id, so a join retried after a lost reply is the same member; a healthy
    // member never starts over under another id.
    assertThat(join.getMemberId()).isNotEmpty();
    assertThat(cluster.heartbeats())
        .extracting(GroupHeartbeatRequest::getMemberId)
        .containsOnly(join.getMemberId());
    assertThat(join.getSubscribedTopicsList()).containsExactly("t");
    assertThat(join.getAssignor()).isEqualTo("sticky");
    assertThat(join.getSessionTimeoutMs()).isEqualTo(10_000);
    // Only owned partitions are fetched, from the committed offset.
    assertThat(cluster.fetchRequests.get(1).get(0).getPartitions(0).getOffset()).isEqualTo(2);
  }

  @Test
  void revocationCallsTheListenerBeforeDroppingAndTheNextHeartbeatReportsIt() {
    cluster.createTopic("t", 1, 1);
    cluster.append(T0, "a");
    cluster.append(T1, "x", "y");
    cluster.target = Set.of(T0, T1);
    subscribed();
    pollUntil("3 records", () -> received.size() >= 3);

    List<Set<TopicPartition>> ownedAtRevoke = new ArrayList<>();
    int[] heartbeatsAtRevoke = new int[1];
    onRevoke =
        () -> {
          ownedAtRevoke.add(consumer.assignment());
          heartbeatsAtRevoke[0] = cluster.heartbeats().size();
        };
    cluster.target = Set.of(T0);
    pollUntil("revocation", () -> events.contains("revoked [t-1]"));
    pollUntil("a heartbeat after it", () -> cluster.heartbeats().size() > heartbeatsAtRevoke[0]);

    assertThat(ownedAtRevoke).containsExactly(Set.of(T0, T1));
    assertThat(consumer.assignment()).containsExactly(T0);
    GroupHeartbeatRequest next = cluster.heartbeats().get(heartbeatsAtRevoke[0]);
    assertThat(GroupWire.fromWire(next.getOwnedList())).containsExactly(T0);
    // Auto-commit ran before the partition was given up.
    assertThat(cluster.group("g").committed).containsEntry(T1, 2L).containsEntry(T0, 1L);
  }

  @Test
  void commitSyncThrowsFencedMemberException() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a");
    cluster.target = Set.of(T0);
    subscribed();
    pollUntil("a record", () -> received.size() >= 1);

    consumer.commitSync();
    assertThat(cluster.group("g").committed).containsEntry(T0, 1L);
    CommitOffsetsRequest commit = cluster.commits().get(cluster.commits().size() - 1);
    assertThat(cluster.group("g").members).containsKey(commit.getMemberId());
    assertThat(commit.getMemberEpoch()).isEqualTo(1);

    cluster.commitErrors.add(ErrorCode.FENCED_MEMBER);
    assertThatThrownBy(() -> consumer.commitSync()).isInstanceOf(FencedMemberException.class);
    assertThat(consumer.committed(Set.of(T0, T1))).isEqualTo(Map.of(T0, 1L));
  }

  @Test
  void unknownMemberOnHeartbeatLosesThePartitionsAndRejoins() {
    cluster.createTopic("t", 1);
    cluster.target = Set.of(T0);
    subscribed();
    pollUntil("assignment", () -> events.contains("assigned [t-0]"));
    int before = cluster.heartbeats().size();

    cluster.heartbeatErrors.add(ErrorCode.UNKNOWN_MEMBER_ID);
    pollUntil("loss", () -> events.contains("lost [t-0]"));
    pollUntil("reassignment", () -> events.size() == 3);

    assertThat(events).containsExactly("assigned [t-0]", "lost [t-0]", "assigned [t-0]");
    List<GroupHeartbeatRequest> after =
        cluster.heartbeats().subList(before, cluster.heartbeats().size());
    // The failed heartbeat, then a fresh join that owns nothing.
    assertThat(after.get(0).getMemberId()).isNotEmpty();
    assertThat(after.get(1).getMemberEpoch()).isZero();
    assertThat(after.get(1).getMemberId()).isNotEmpty().isNotEqualTo(after.get(0).getMemberId());
    assertThat(after.get(1).getOwnedList()).isEmpty();
    assertThat(consumer.assignment()).containsExactly(T0);
  }

  @Test
  void partitionsAreLostWhenNoHeartbeatSucceedsForASessionTimeout() {
    cluster.createTopic("t", 1);
    cluster.target = Set.of(T0);
    consumer(b -> b.sessionTimeout(Duration.ofSeconds(1))).subscribe(List.of("t"), listener);
    pollUntil("assignment", () -> events.contains("assigned [t-0]"));

    for (int i = 0; i < 100_000; i++) {
      cluster.heartbeatErrors.add(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    pollUntil("loss", () -> events.contains("lost [t-0]"));
    assertThat(consumer.assignment()).isEmpty();

    cluster.heartbeatErrors.clear();
    pollUntil("reassignment", () -> events.size() == 3);
    assertThat(consumer.assignment()).containsExactly(T0);
  }

  @Test
  void keepsItsPartitionsWhileTheApplicationTakesLongerThanTheSessionBetweenPolls() {
    cluster.createTopic("t", 1);
    cluster.target = Set.of(T0);
    cluster.heartbeatIntervalMs = 100;
    consumer(b -> b.sessionTimeout(Duration.ofSeconds(1)).maxPollInterval(Duration.ofMinutes(1)))
        .subscribe(List.of("t"), listener);
    pollUntil("assignment", () -> events.contains("assigned [t-0]"));
    pollUntil("the first heartbeat that owns it", () -> ownsT0(last(cluster.heartbeats())));
    int before = cluster.heartbeats().size();
    String member = consumer.groupMetadata().memberId();

    // "Processing" without polling: 25 heartbeats at 100 ms are 2.5 sessions.
    await("heartbeats between polls", () -> cluster.heartbeats().size() >= before + 25);
    received.addAll(consumer.poll(Duration.ofMillis(20)));

    assertThat(events).containsExactly("assigned [t-0]");
    assertThat(consumer.assignment()).containsExactly(T0);
    List<GroupHeartbeatRequest> between =
        cluster.heartbeats().subList(before, cluster.heartbeats().size());
    assertThat(between).allSatisfy(h -> assertThat(h.getMemberId()).isEqualTo(member));
    assertThat(between).allSatisfy(h -> assertThat(h.getMemberEpoch()).isPositive());
    assertThat(between).allSatisfy(h -> assertThat(ownsT0(h)).isTrue());
  }

  @Test
  void leavesTheGroupWhenTheApplicationDoesNotPollWithinMaxPollIntervalAndRejoinsOnPoll() {
    cluster.createTopic("t", 1);
    cluster.target = Set.of(T0);
    consumer(b -> b.sessionTimeout(Duration.ofSeconds(10)).maxPollInterval(Duration.ofSeconds(1)))
        .subscribe(List.of("t"), listener);
    pollUntil("assignment", () -> events.contains("assigned [t-0]"));
    String member = consumer.groupMetadata().memberId();

    await("a leave", () -> cluster.heartbeats().stream().anyMatch(h -> h.getMemberEpoch() == -1));
    await("the member is gone", () -> !cluster.group("g").members.containsKey(member));
    int afterLeave = cluster.heartbeats().size();

    pollUntil("rejoin", () -> events.size() == 3);
    assertThat(events).containsExactly("assigned [t-0]", "lost [t-0]", "assigned [t-0]");
    GroupHeartbeatRequest rejoin = cluster.heartbeats().get(afterLeave);
    assertThat(rejoin.getMemberEpoch()).isZero();
    assertThat(rejoin.getMemberId()).isNotEqualTo(member);
  }

  private static boolean ownsT0(GroupHeartbeatRequest h) {
    return h != null && GroupWire.fromWire(h.getOwnedList()).contains(T0);
  }

  private static <T> T last(List<T> list) {
    return list.isEmpty() ? null : list.get(list.size() - 1);
  }

  /** Waits, without polling the consumer, until the condition holds; fails after 10 s. */
  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  @Test
  void followsNotCoordinatorToTheHintedNode() {
    cluster.createTopic("t", 1);
    cluster.target = Set.of(T0);
    cluster.coordinatorId = 2;
    cluster.findCoordinatorAnswer = 1;
    subscribed();
    pollUntil("assignment", () -> consumer.assignment().contains(T0));

    List<Integer> nodes = cluster.groupCalls.stream().map(FakeCluster.GroupCall::node).toList();
    assertThat(nodes.get(0)).isEqualTo(1);
    assertThat(nodes.subList(1, nodes.size())).containsOnly(2);
  }

  @Test
  void closeCommitsThenLeaves() {
    cluster.createTopic("t", 1);
    cluster.append(T0, "a", "b");
    cluster.target = Set.of(T0);
    subscribed();
    pollUntil("2 records", () -> received.size() >= 2);

    consumer.close();

    assertThat(cluster.group("g").committed).containsEntry(T0, 2L);
    assertThat(cluster.group("g").members).isEmpty();
    assertThat(events).containsExactly("assigned [t-0]", "revoked [t-0]");
    List<Object> calls = cluster.groupCalls.stream().map(FakeCluster.GroupCall::request).toList();
    Object last = calls.get(calls.size() - 1);
    assertThat(last).isInstanceOf(GroupHeartbeatRequest.class);
    assertThat(((GroupHeartbeatRequest) last).getMemberEpoch()).isEqualTo(-1);
    assertThat(calls.get(calls.size() - 2)).isInstanceOf(CommitOffsetsRequest.class);
  }

  @Test
  void staticMemberLeavesWithEpochMinusTwo() {
    cluster.createTopic("t", 1);
    cluster.target = Set.of(T0);
    consumer(b -> b.groupInstanceId("i-1").enableAutoCommit(false)).subscribe(List.of("t"));
    pollUntil("assignment", () -> consumer.assignment().contains(T0));

    consumer.close();

    List<GroupHeartbeatRequest> hbs = cluster.heartbeats();
    assertThat(hbs.get(0).getInstanceId()).isEqualTo("i-1");
    assertThat(hbs.get(hbs.size() - 1).getMemberEpoch()).isEqualTo(-2);
    assertThat(cluster.commits()).isEmpty();
  }

  @Test
  void subscribeAndAssignExcludeEachOther() {
    cluster.createTopic("t", 1);
    QuorumConsumer noGroup =
        new QuorumConsumer(
            ConsumerConfig.builder().bootstrap(cluster.bootstrap()).build(), cluster.connections());
    try {
      assertThatThrownBy(() -> noGroup.subscribe(List.of("t")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("groupId");
      assertThatThrownBy(noGroup::commitSync).isInstanceOf(IllegalStateException.class);
    } finally {
      noGroup.close();
    }

    consumer(b -> b).assign(List.of(T0));
    assertThatThrownBy(() -> consumer.subscribe(List.of("t")))
        .isInstanceOf(IllegalStateException.class);
    consumer.assign(List.of());
    consumer.subscribe(List.of("t"));
    assertThatThrownBy(() -> consumer.assign(List.of(T0)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void assignedPartitionsCommitAsAnAdministrativeCommit() {
    cluster.createTopic("t", 1);
    consumer(b -> b).assign(List.of(T0));

    consumer.commitSync(Map.of(T0, 5L));

    assertThat(cluster.commits().get(0).getMemberId()).isEmpty();
    assertThat(consumer.committed(Set.of(T0))).isEqualTo(Map.of(T0, 5L));
  }
}
