package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.protocol.raft.PartitionAssignment;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.statemachine.ClusterView;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GroupModelTest {
  private static final ClusterView VIEW = view("orders", 4);

  @Test
  void aPartitionMovesOnlyAfterItsPreviousOwnerReleasedIt() {
    GroupModel group = GroupModel.of(GroupModel.empty("g"));
    GroupModel.Member a = join(group, "a");
    group.retarget(VIEW);
    a.reconcile(Set.of(), group);
    assertThat(a.assignment()).hasSize(4);

    GroupModel.Member b = join(group, "b");
    group.retarget(VIEW);
    b.reconcile(Set.of(), group);
    // b's target partitions are still held by a: b gets nothing yet.
    assertThat(b.target).hasSize(2);
    assertThat(b.assignment()).isEmpty();

    // a is told its smaller assignment, but still owns everything until it reports otherwise.
    a.reconcile(all(4), group);
    assertThat(a.assignment()).hasSize(2);
    b.reconcile(Set.of(), group);
    assertThat(b.assignment()).isEmpty();

    // a released the two partitions; now b gets them.
    a.reconcile(new TreeSet<>(a.assignment()), group);
    b.reconcile(Set.of(), group);
    assertThat(b.assignment()).isEqualTo(b.target).hasSize(2);
    assertThat(group.state()).isEqualTo("STABLE");
  }

  @Test
  void anAssignmentChangeBumpsTheMemberEpoch() {
    GroupModel group = GroupModel.of(GroupModel.empty("g"));
    GroupModel.Member a = join(group, "a");
    group.retarget(VIEW);
    a.reconcile(Set.of(), group);
    int epoch = a.epoch;
    a.reconcile(new TreeSet<>(a.assignment()), group);
    assertThat(a.epoch).isEqualTo(epoch);
  }

  @Test
  void eachGrantRemembersTheMemberEpochItWasMadeAt() {
    GroupModel group = GroupModel.of(GroupModel.empty("g"));
    GroupModel.Member a = join(group, "a");
    group.retarget(VIEW);
    a.reconcile(Set.of(), group);
    assertThat(a.grantedAt).hasSize(4).allSatisfy((p, e) -> assertThat(e).isEqualTo(a.epoch));
    assertThat(GroupModel.of(group.toState()).members.get("a").grantedAt).isEqualTo(a.grantedAt);
  }

  @Test
  void aStaticMemberThatRejoinsKeepsItsPartitions() {
    GroupModel group = GroupModel.of(GroupModel.empty("g"));
    GroupModel.Member a = group.add("a-1", "instance-a", "client");
    a.subscribe(java.util.List.of("orders"), "", 10_000);
    group.retarget(VIEW);
    a.reconcile(Set.of(), group);
    Set<PartitionKey> before = a.assignment();

    GroupModel.Member again = group.replace(group.byInstance("instance-a"), "a-2");
    assertThat(group.members).containsOnlyKeys("a-2");
    assertThat(again.assignment()).isEqualTo(before);
  }

  private static GroupModel.Member join(GroupModel group, String id) {
    GroupModel.Member member = group.add(id, "", "client");
    member.subscribe(java.util.List.of("orders"), "", 10_000);
    return member;
  }

  private static Set<PartitionKey> all(int partitions) {
    Set<PartitionKey> keys = new TreeSet<>();
    for (int p = 0; p < partitions; p++) {
      keys.add(new PartitionKey("orders", p));
    }
    return keys;
  }

  private static ClusterView view(String topic, int partitions) {
    TopicRecord.Builder record = TopicRecord.newBuilder().setName(topic).setTopicId(1);
    for (int p = 0; p < partitions; p++) {
      record.addPartitions(PartitionAssignment.newBuilder().setPartition(p).addReplicas(1));
    }
    Map<String, TopicRecord> topics = new TreeMap<>(Map.of(topic, record.build()));
    return new ClusterView("c", new TreeMap<>(), new java.util.TreeMap<>(topics));
  }
}
