package dev.quorum.client;

/**
 * A group member's identity as of now, for {@link Producer#sendOffsetsToTransaction}: the group
 * coordinator refuses the offsets if the member no longer owns the partitions (a zombie).
 *
 * @param memberId empty when the consumer is not a group member (assigned partitions)
 */
public record ConsumerGroupMetadata(String groupId, String memberId, int memberEpoch) {}
