package dev.quorum.client;

/**
 * A group's progress on one partition: {@code lag = endOffset - committedOffset} (at least 0).
 * {@code endOffset} and {@code lag} are -1 when the end offset could not be read.
 */
public record PartitionLag(
    TopicPartition partition, long committedOffset, long endOffset, long lag) {}
