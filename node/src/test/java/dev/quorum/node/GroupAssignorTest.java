package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupAssignorTest {
  private static final Map<String, Integer> TWELVE = Map.of("orders", 12);

  @Test
  void stickyMovesOnlyTheNecessaryPartitionsWhenAFourthMemberJoins() {
    Map<String, Set<PartitionKey>> three =
        GroupAssignor.assign(
            GroupAssignor.STICKY, members(List.of("a", "b", "c"), Map.of()), TWELVE);
    assertThat(three.values()).allSatisfy(p -> assertThat(p).hasSize(4));

    Map<String, Set<PartitionKey>> four =
        GroupAssignor.assign(
            GroupAssignor.STICKY, members(List.of("a", "b", "c", "d"), three), TWELVE);
    assertThat(four.values()).allSatisfy(p -> assertThat(p).hasSize(3));
    assertThat(moved(three, four)).isEqualTo(3);
    assertCoversEachPartitionOnce(four, 12);
  }

  @Test
  void stickyGivesOnlyTheLeaversPartitionsToTheOthers() {
    Map<String, Set<PartitionKey>> four =
        GroupAssignor.assign(
            GroupAssignor.STICKY, members(List.of("a", "b", "c", "d"), Map.of()), TWELVE);
    Map<String, Set<PartitionKey>> three =
        GroupAssignor.assign(GroupAssignor.STICKY, members(List.of("a", "b", "c"), four), TWELVE);
    for (String member : List.of("a", "b", "c")) {
      assertThat(three.get(member)).containsAll(four.get(member)).hasSize(4);
    }
    assertCoversEachPartitionOnce(three, 12);
  }

  @Test
  void rangeGivesEachMemberAContiguousShareOfEveryTopic() {
    Map<String, Set<PartitionKey>> result =
        GroupAssignor.assign(
            GroupAssignor.RANGE, members(List.of("a", "b"), Map.of()), Map.of("orders", 5));
    assertThat(result.get("a")).extracting(PartitionKey::partition).containsExactly(0, 1, 2);
    assertThat(result.get("b")).extracting(PartitionKey::partition).containsExactly(3, 4);
  }

  @Test
  void roundRobinDealsPartitionsInTurn() {
    Map<String, Set<PartitionKey>> result =
        GroupAssignor.assign(
            GroupAssignor.ROUND_ROBIN, members(List.of("a", "b"), Map.of()), Map.of("orders", 4));
    assertThat(result.get("a")).extracting(PartitionKey::partition).containsExactly(0, 2);
    assertThat(result.get("b")).extracting(PartitionKey::partition).containsExactly(1, 3);
  }

  @Test
  void membersGetOnlyTopicsTheySubscribeTo() {
    List<GroupAssignor.Member> members =
        List.of(
            new GroupAssignor.Member("a", "a", Set.of("x"), Set.of()),
            new GroupAssignor.Member("b", "b", Set.of("x", "y"), Set.of()));
    for (String assignor :
        List.of(GroupAssignor.STICKY, GroupAssignor.RANGE, GroupAssignor.ROUND_ROBIN)) {
      Map<String, Set<PartitionKey>> result =
          GroupAssignor.assign(assignor, members, Map.of("x", 2, "y", 2));
      assertThat(result.get("a")).allSatisfy(p -> assertThat(p.topic()).isEqualTo("x"));
      assertCoversEachPartitionOnce(result, 4);
    }
  }

  private static List<GroupAssignor.Member> members(
      List<String> ids, Map<String, Set<PartitionKey>> previous) {
    List<GroupAssignor.Member> members = new ArrayList<>();
    for (String id : ids) {
      members.add(
          new GroupAssignor.Member(id, id, Set.of("orders"), previous.getOrDefault(id, Set.of())));
    }
    return members;
  }

  private static int moved(
      Map<String, Set<PartitionKey>> before, Map<String, Set<PartitionKey>> after) {
    Map<PartitionKey, String> owner = new HashMap<>();
    before.forEach((m, ps) -> ps.forEach(p -> owner.put(p, m)));
    int moved = 0;
    for (var e : after.entrySet()) {
      for (PartitionKey p : e.getValue()) {
        if (!e.getKey().equals(owner.get(p))) {
          moved++;
        }
      }
    }
    return moved;
  }

  private static void assertCoversEachPartitionOnce(
      Map<String, Set<PartitionKey>> result, int total) {
    Set<PartitionKey> seen = new HashSet<>();
    result
        .values()
        .forEach(ps -> ps.forEach(p -> assertThat(seen.add(p)).as("%s twice", p).isTrue()));
    assertThat(seen).hasSize(total);
  }
}
