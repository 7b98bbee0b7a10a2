package dev.quorum.client;

import java.util.Set;

/**
 * One member of a {@link GroupDescription}. {@code assignment} is what the member may own now;
 * {@code target} is where the group is heading (they differ while partitions move). {@code
 * instanceId} is null for a member without static membership.
 */
public record GroupMember(
    String memberId,
    String instanceId,
    String clientId,
    Set<TopicPartition> assignment,
    Set<TopicPartition> target) {
  public GroupMember {
    assignment = Set.copyOf(assignment);
    target = Set.copyOf(target);
  }
}
