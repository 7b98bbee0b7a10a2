package dev.quorum.cli;

import dev.quorum.client.OffsetResetPolicy;

/**
 * How {@code consume --group} joins its group.
 *
 * @param groupId the group to join
 * @param instanceId a static member id that survives restarts, or null for a dynamic member
 * @param autoOffsetReset where to start on partitions the group has no committed offset for
 */
record GroupSettings(String groupId, String instanceId, OffsetResetPolicy autoOffsetReset) {}
