package dev.quorum.client;

import java.util.List;

/** The nodes of a cluster, as {@link Admin#clusterStatus()} found them, ordered by node id. */
public record ClusterStatus(String clusterId, List<NodeState> nodes) {
  public ClusterStatus {
    nodes = List.copyOf(nodes);
  }
}
