package dev.quorum.node;

import dev.quorum.protocol.raft.GroupState;
import dev.quorum.protocol.raft.MemberState;
import dev.quorum.protocol.raft.PartitionGrant;
import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.statemachine.ClusterView;
import dev.quorum.statemachine.TopicRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A consumer group being changed by its coordinator: a mutable copy of the stored {@link
 * GroupState}, written back whole with {@link #toState}.
 */
final class GroupModel {
  final String groupId;
  final long version;
  int groupEpoch;
  String assignor;
  final Map<String, Member> members = new LinkedHashMap<>();

  private GroupModel(GroupState state) {
    this.groupId = state.getGroupId();
    this.version = state.getVersion();
    this.groupEpoch = state.getGroupEpoch();
    this.assignor = state.getAssignor().isEmpty() ? GroupAssignor.STICKY : state.getAssignor();
    for (MemberState m : state.getMembersList()) {
      members.put(m.getMemberId(), new Member(m));
    }
  }

  static GroupModel of(GroupState state) {
    return new GroupModel(state);
  }

  static GroupState empty(String groupId) {
    return GroupState.newBuilder().setGroupId(groupId).setAssignor(GroupAssignor.STICKY).build();
  }

  Member add(String memberId, String instanceId, String clientId) {
    Member member =
        new Member(
            MemberState.newBuilder()
                .setMemberId(memberId)
                .setInstanceId(instanceId)
                .setClientId(clientId)
                .build());
    members.put(memberId, member);
    return member;
  }

  /**
   * A static member came back under a new member id: it takes over its old place and partitions.
   */
  Member replace(Member old, String newId) {
    members.remove(old.id);
    old.id = newId;
    old.epoch++;
    members.put(newId, old);
    return old;
  }

  Member byInstance(String instanceId) {
    for (Member m : members.values()) {
      if (m.instanceId.equals(instanceId)) {
        return m;
      }
    }
    return null;
  }

  /**
   * Recomputes every member's target from the current topics; a new target bumps the group epoch.
   */
  void retarget(ClusterView view) {
    Map<String, Integer> counts = new HashMap<>();
    List<GroupAssignor.Member> input = new ArrayList<>();
    for (Member m : members.values()) {
      Set<String> topics = m.resolve(view);
      topics.forEach(
          t -> counts.put(t, view.topic(t).map(TopicRecord::getPartitionsCount).orElse(0)));
      input.add(
          new GroupAssignor.Member(
              m.id, m.instanceId.isEmpty() ? m.id : m.instanceId, topics, m.target));
    }
    Map<String, Set<PartitionKey>> targets = GroupAssignor.assign(assignor, input, counts);
    boolean changed = false;
    for (Member m : members.values()) {
      Set<PartitionKey> target = targets.getOrDefault(m.id, Set.of());
      if (!target.equals(m.target)) {
        m.target = new TreeSet<>(target);
        changed = true;
      }
    }
    if (changed) {
      groupEpoch++;
    }
  }

  boolean heldByOther(PartitionKey partition, Member self) {
    for (Member m : members.values()) {
      if (m != self && m.held.contains(partition)) {
        return true;
      }
    }
    return false;
  }

  /** EMPTY, STABLE (every member owns exactly its target) or RECONCILING. */
  String state() {
    if (members.isEmpty()) {
      return "EMPTY";
    }
    return members.values().stream().allMatch(m -> m.held.equals(m.target))
        ? "STABLE"
        : "RECONCILING";
  }

  GroupState toState() {
    GroupState.Builder state =
        GroupState.newBuilder()
            .setGroupId(groupId)
            .setVersion(version)
            .setGroupEpoch(groupEpoch)
            .setAssignor(assignor);
    members.values().forEach(m -> state.addMembers(m.toState()));
    return state.build();
  }

  /** One member; {@link #held} blocks other members from its partitions until it releases them. */
  static final class Member {
    String id;
    final String instanceId;
    final String clientId;
    int epoch;
    List<String> topics;
    String pattern;
    int sessionTimeoutMs;
    Set<PartitionKey> held;
    Set<PartitionKey> target;

    /** The member epoch at which each held partition was granted. */
    final Map<PartitionKey, Integer> grantedAt = new java.util.TreeMap<>();

    private Member(MemberState m) {
      this.id = m.getMemberId();
      this.instanceId = m.getInstanceId();
      this.clientId = m.getClientId();
      this.epoch = m.getMemberEpoch();
      this.topics = List.copyOf(m.getSubscribedTopicsList());
      this.pattern = m.getSubscribedPattern();
      this.sessionTimeoutMs = m.getSessionTimeoutMs();
      this.held = new TreeSet<>(PartitionKey.fromWire(m.getHeldList()));
      this.target = new TreeSet<>(PartitionKey.fromWire(m.getTargetList()));
      m.getGrantsList()
          .forEach(
              g ->
                  grantedAt.put(
                      new PartitionKey(g.getTopic(), g.getPartition()), g.getMemberEpoch()));
    }

    void subscribe(List<String> topics, String pattern, int sessionTimeoutMs) {
      this.topics = List.copyOf(topics);
      this.pattern = pattern;
      this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** What the member should own now: what it holds of its target. */
    Set<PartitionKey> assignment() {
      Set<PartitionKey> now = new TreeSet<>(held);
      now.retainAll(target);
      return now;
    }

    /**
     * Takes in what the member reports owning: partitions it gave up and no longer targets are
     * released; target partitions nobody else holds are granted. A changed assignment bumps the
     * member epoch.
     */
    void reconcile(Set<PartitionKey> owned, GroupModel group) {
      Set<PartitionKey> before = assignment();
      Set<PartitionKey> next = new TreeSet<>();
      for (PartitionKey p : held) {
        if (target.contains(p) || owned.contains(p)) {
          next.add(p);
        }
      }
      held = next;
      List<PartitionKey> granted = new ArrayList<>();
      for (PartitionKey p : target) {
        if (!held.contains(p) && !group.heldByOther(p, this)) {
          held.add(p);
          granted.add(p);
        }
      }
      if (!assignment().equals(before) || epoch == 0) {
        epoch++;
      }
      grantedAt.keySet().retainAll(held);
      granted.forEach(p -> grantedAt.put(p, epoch));
    }

    /** The existing, non-internal topics this member subscribes to. */
    Set<String> resolve(ClusterView view) {
      Set<String> resolved = new TreeSet<>();
      for (String topic : topics) {
        if (view.topics().containsKey(topic)) {
          resolved.add(topic);
        }
      }
      if (!pattern.isEmpty()) {
        try {
          Pattern regex = Pattern.compile(pattern);
          for (String topic : view.topics().keySet()) {
            if (!topic.startsWith(TopicRules.INTERNAL_PREFIX) && regex.matcher(topic).matches()) {
              resolved.add(topic);
            }
          }
        } catch (PatternSyntaxException e) {
          // An invalid pattern matches nothing; the client validated it before sending.
        }
      }
      return resolved;
    }

    MemberState toState() {
      return MemberState.newBuilder()
          .setMemberId(id)
          .setInstanceId(instanceId)
          .setClientId(clientId)
          .setMemberEpoch(epoch)
          .addAllSubscribedTopics(topics)
          .setSubscribedPattern(pattern)
          .setSessionTimeoutMs(sessionTimeoutMs)
          .addAllHeld(PartitionKey.toWire(held))
          .addAllTarget(PartitionKey.toWire(target))
          .addAllGrants(
              grantedAt.entrySet().stream()
                  .map(
                      e ->
                          PartitionGrant.newBuilder()
                              .setTopic(e.getKey().topic())
                              .setPartition(e.getKey().partition())
                              .setMemberEpoch(e.getValue())
                              .build())
                  .toList())
          .build();
    }
  }
}
