package dev.quorum.client;

import java.util.List;

/**
 * A consumer group as {@link Admin#describeGroup(String)} sees it: its state, epoch and assignor,
 * its members with their partitions, and, for every partition with a committed offset, the
 * committed offset, the end offset and the lag (sorted by topic, then partition).
 */
public record GroupDescription(
    String groupId,
    String state,
    int groupEpoch,
    String assignor,
    List<GroupMember> members,
    List<PartitionLag> offsets) {
  public GroupDescription {
    members = List.copyOf(members);
    offsets = List.copyOf(offsets);
  }
}
