package dev.quorum.client;

import java.util.List;

/**
 * One partition of a described topic: its leader (null when none is known), its replicas (the first
 * is the preferred leader) and its first and next offsets (-1 when they could not be read).
 */
public record PartitionDescription(
    int partition, Integer leader, List<Integer> replicas, long startOffset, long endOffset) {
  public PartitionDescription {
    replicas = List.copyOf(replicas);
  }
}
