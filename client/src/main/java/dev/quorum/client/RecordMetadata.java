package dev.quorum.client;

/**
 * Where an acknowledged record was stored: its partition, its offset and its timestamp (the
 * producer's timestamp, or the leader's append time when the producer gave none).
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {}
