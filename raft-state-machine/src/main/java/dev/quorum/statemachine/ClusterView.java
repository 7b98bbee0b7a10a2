package dev.quorum.statemachine;

import dev.quorum.protocol.raft.TopicRecord;
import dev.quorum.protocol.v1.NodeInfo;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** An immutable picture of the cluster metadata after some applied entry. */
public record ClusterView(
    String clusterId, SortedMap<Integer, NodeInfo> nodes, SortedMap<String, TopicRecord> topics) {
  static final ClusterView EMPTY = new ClusterView("", new TreeMap<>(), new TreeMap<>());

  public ClusterView {
    nodes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    topics = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(topics));
  }

  public Optional<TopicRecord> topic(String name) {
    return Optional.ofNullable(topics.get(name));
  }

  ClusterView withClusterId(String id) {
    return new ClusterView(id, nodes, topics);
  }

  ClusterView withNode(NodeInfo node) {
    TreeMap<Integer, NodeInfo> copy = new TreeMap<>(nodes);
    copy.put(node.getId(), node);
    return new ClusterView(clusterId, copy, topics);
  }

  ClusterView withTopic(TopicRecord topic) {
    TreeMap<String, TopicRecord> copy = new TreeMap<>(topics);
    copy.put(topic.getName(), topic);
    return new ClusterView(clusterId, nodes, copy);
  }

  ClusterView withoutTopic(String name) {
    TreeMap<String, TopicRecord> copy = new TreeMap<>(topics);
    copy.remove(name);
    return new ClusterView(clusterId, nodes, copy);
  }
}
