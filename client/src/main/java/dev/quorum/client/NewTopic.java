package dev.quorum.client;

import java.util.Objects;

/**
 * What {@link Admin#createTopic(NewTopic)} should create: a name, a partition count, a replication
 * factor and optionally the largest batch one produce may append ({@code null} = cluster default).
 */
public record NewTopic(
    String name, int partitions, int replicationFactor, Integer maxMessageBytes) {
  public NewTopic {
    Objects.requireNonNull(name, "name");
  }

  /** A topic with the cluster's default {@code maxMessageBytes}. */
  public NewTopic(String name, int partitions, int replicationFactor) {
    this(name, partitions, replicationFactor, null);
  }
}
