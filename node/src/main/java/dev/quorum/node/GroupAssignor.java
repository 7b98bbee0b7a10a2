package dev.quorum.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which member of a group should own which partition. Pure: the same members,
 * subscriptions, topics and previous targets give the same answer.
 */
final class GroupAssignor {
  static final String STICKY = "sticky";
  static final String RANGE = "range";
  static final String ROUND_ROBIN = "roundrobin";

  private GroupAssignor() {}

  /** A member as the assignor sees it: a stable sort key and the topics it subscribes to. */
  record Member(String id, String sortKey, Set<String> topics, Set<PartitionKey> previous) {}

  static boolean isKnown(String name) {
    return name.equals(STICKY) || name.equals(RANGE) || name.equals(ROUND_ROBIN);
  }

  /** Target partitions per member id, for topics with the given partition counts. */
  static Map<String, Set<PartitionKey>> assign(
      String assignor, List<Member> members, Map<String, Integer> partitionCounts) {
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(Member::sortKey).thenComparing(Member::id));
    Map<String, Set<PartitionKey>> result = new HashMap<>();
    sorted.forEach(m -> result.put(m.id(), new TreeSet<>()));
    switch (assignor) {
      case RANGE -> range(sorted, partitionCounts, result);
      case ROUND_ROBIN -> roundRobin(sorted, partitionCounts, result);
      default -> sticky(sorted, partitionCounts, result);
    }
    return result;
  }

  private static List<PartitionKey> partitions(
      List<Member> members, Map<String, Integer> partitionCounts) {
    Set<String> topics = new TreeSet<>();
    members.forEach(m -> topics.addAll(m.topics()));
    List<PartitionKey> all = new ArrayList<>();
    for (String topic : topics) {
      for (int p = 0; p < partitionCounts.getOrDefault(topic, 0); p++) {
        all.add(new PartitionKey(topic, p));
      }
    }
    return all;
  }

  /** Per topic, consecutive ranges of partitions to the subscribed members in order. */
  private static void range(
      List<Member> members, Map<String, Integer> counts, Map<String, Set<PartitionKey>> result) {
    Set<String> topics = new TreeSet<>();
    members.forEach(m -> topics.addAll(m.topics()));
    for (String topic : topics) {
      List<Member> subscribed = members.stream().filter(m -> m.topics().contains(topic)).toList();
      int count = counts.getOrDefault(topic, 0);
      int next = 0;
      for (int i = 0; i < subscribed.size(); i++) {
        int share = count / subscribed.size() + (i < count % subscribed.size() ? 1 : 0);
        for (int p = next; p < next + share; p++) {
          result.get(subscribed.get(i).id()).add(new PartitionKey(topic, p));
        }
        next += share;
      }
    }
  }

  /** Every partition in order, dealt to the subscribed members in turn. */
  private static void roundRobin(
      List<Member> members, Map<String, Integer> counts, Map<String, Set<PartitionKey>> result) {
    int turn = 0;
    for (PartitionKey partition : partitions(members, counts)) {
      for (int tries = 0; tries < members.size(); tries++) {
        Member candidate = members.get(turn++ % members.size());
        if (candidate.topics().contains(partition.topic())) {
          result.get(candidate.id()).add(partition);
          break;
        }
      }
    }
  }

  /**
   * Balanced, and moving as little as possible: each member keeps what it had, up to its fair
   * share; only the rest moves, each partition to the eligible member with the fewest.
   */
  private static void sticky(
      List<Member> members, Map<String, Integer> counts, Map<String, Set<PartitionKey>> result) {
    List<PartitionKey> all = partitions(members, counts);
    if (members.isEmpty()) {
      return;
    }
    int base = all.size() / members.size();
    int extra = all.size() % members.size();
    Set<PartitionKey> taken = new LinkedHashSet<>();
    // First everyone keeps up to the base share, then up to `extra` members keep one more.
    for (int round = 0; round < 2; round++) {
      for (Member member : members) {
        Set<PartitionKey> mine = result.get(member.id());
        for (PartitionKey p : new TreeSet<>(member.previous())) {
          boolean valid =
              member.topics().contains(p.topic())
                  && p.partition() < counts.getOrDefault(p.topic(), 0)
                  && !taken.contains(p);
          int limit = round == 0 ? base : base + 1;
          if (!valid || mine.size() >= limit || (round == 1 && extra == 0)) {
            continue;
          }
          if (round == 1 && mine.size() == base) {
            extra--;
          }
          mine.add(p);
          taken.add(p);
        }
      }
    }
    for (PartitionKey p : all) {
      if (taken.contains(p)) {
        continue;
      }
      Member fewest = null;
      for (Member member : members) {
        if (member.topics().contains(p.topic())
            && (fewest == null
                || result.get(member.id()).size() < result.get(fewest.id()).size())) {
          fewest = member;
        }
      }
      if (fewest != null) {
        result.get(fewest.id()).add(p);
        taken.add(p);
      }
    }
  }
}
