package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.BrokerUnavailableException;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.MetadataRequest;
import dev.quorum.protocol.v1.MetadataResponse;
import dev.quorum.protocol.v1.NodeInfo;
import dev.quorum.protocol.v1.PartitionMetadata;
import dev.quorum.protocol.v1.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the client knows of the cluster: node addresses, topics, and each partition's leader.
 * Thread-safe; refreshes ask the known nodes and then the bootstrap addresses, each in turn, until
 * one answers.
 */
final class MetadataCache {
  private final NodeConnections connections;
  private final List<String> bootstrap;
  private final Duration callTimeout;
  private final Map<Integer, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Integer> leaders = new ConcurrentHashMap<>();
  private final Set<String> unknownTopics = ConcurrentHashMap.newKeySet();
  private volatile String clusterId = "";
  private volatile String lastGood;

  MetadataCache(NodeConnections connections, List<String> bootstrap, Duration callTimeout) {
    this.connections = connections;
    this.bootstrap = List.copyOf(bootstrap);
    this.callTimeout = callTimeout;
  }

  static String address(NodeInfo node) {
    return node.getHost() + ":" + node.getClientPort();
  }

  /** Refreshes {@code topicNames} (empty = all topics). Completes on a gRPC thread. */
  CompletableFuture<MetadataResponse> refresh(Collection<String> topicNames) {
    MetadataRequest request = MetadataRequest.newBuilder().addAllTopics(topicNames).build();
    List<String> candidates = candidates();
    CompletableFuture<MetadataResponse> result = new CompletableFuture<>();
    tryNode(request, candidates, 0, null, result);
    return result;
  }

  /** Blocking refresh, retried with backoff until {@code deadlineNanos}. */
  MetadataResponse refreshBlocking(Collection<String> topicNames, long deadlineNanos) {
    Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    while (true) {
      try {
        return refresh(topicNames).join();
      } catch (RuntimeException e) {
        BrokerException be = ErrorCodes.fromTransport(e, "cluster", false);
        long waitNanos = backoff.nextNanos();
        if (System.nanoTime() + waitNanos >= deadlineNanos) {
          throw be;
        }
        sleepNanos(waitNanos);
      }
    }
  }

  /** Addresses worth asking a cluster-wide question: the last node that answered first. */
  List<String> knownAddresses() {
    return candidates();
  }

  private List<String> candidates() {
    Set<String> c = new LinkedHashSet<>();
    if (lastGood != null) {
      c.add(lastGood);
    }
    nodes.values().forEach(n -> c.add(address(n)));
    c.addAll(bootstrap);
    return new ArrayList<>(c);
  }

  private void tryNode(
      MetadataRequest request,
      List<String> candidates,
      int index,
      BrokerException last,
      CompletableFuture<MetadataResponse> result) {
    if (index >= candidates.size()) {
      result.completeExceptionally(
          new BrokerUnavailableException(
              "no node answered a metadata request (tried "
                  + candidates
                  + ")"
                  + (last == null ? "" : ": " + last.getMessage()),
              false,
              last));
      return;
    }
    String address = candidates.get(index);
    CompletableFuture<MetadataResponse> call;
    try {
      call =
          Rpc.toCompletable(
              connections
                  .stub(address)
                  .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                  .metadata(request));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    call.whenComplete(
        (response, failure) -> {
          if (failure != null) {
            tryNode(
                request,
                candidates,
                index + 1,
                ErrorCodes.fromTransport(failure, address, false),
                result);
          } else if (response.hasError() && ErrorCodes.isError(response.getError())) {
            tryNode(
                request,
                candidates,
                index + 1,
                ErrorCodes.toException(response.getError()),
                result);
          } else {
            lastGood = address;
            update(response, request.getTopicsCount() == 0);
            result.complete(response);
          }
        });
  }

  private void update(MetadataResponse response, boolean allTopics) {
    clusterId = response.getClusterId();
    for (NodeInfo n : response.getNodesList()) {
      nodes.put(n.getId(), n);
    }
    if (allTopics) {
      Set<String> present = new LinkedHashSet<>();
      response.getTopicsList().forEach(t -> present.add(t.getName()));
      topics.keySet().retainAll(present);
      leaders.keySet().removeIf(tp -> !present.contains(tp.topic()));
    }
    for (TopicMetadata t : response.getTopicsList()) {
      if (t.hasError() && t.getError().getCode() == ErrorCode.UNKNOWN_TOPIC) {
        topics.remove(t.getName());
        unknownTopics.add(t.getName());
        leaders.keySet().removeIf(tp -> tp.topic().equals(t.getName()));
        continue;
      }
      if (t.hasError() && ErrorCodes.isError(t.getError())) {
        continue;
      }
      unknownTopics.remove(t.getName());
      topics.put(t.getName(), t);
      for (PartitionMetadata p : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
        if (p.getLeader() > 0) {
          leaders.put(tp, p.getLeader());
        } else {
          leaders.remove(tp);
        }
      }
    }
  }

  String clusterId() {
    return clusterId;
  }

  List<NodeInfo> nodes() {
    List<NodeInfo> all = new ArrayList<>(nodes.values());
    all.sort((a, b) -> Integer.compare(a.getId(), b.getId()));
    return all;
  }

  /** The topic, or null when unknown (never fetched, or the cluster said it does not exist). */
  TopicMetadata topic(String name) {
    return topics.get(name);
  }

  /** True once a refresh answered UNKNOWN_TOPIC for this topic (and no later one found it). */
  boolean knownMissing(String name) {
    return unknownTopics.contains(name);
  }

  /** Partition count, or -1 when the topic is not known. */
  int partitionCount(String topic) {
    TopicMetadata t = topics.get(topic);
    return t == null ? -1 : t.getPartitionsCount();
  }

  /** The leader's node id, or null. */
  Integer leader(TopicPartition tp) {
    return leaders.get(tp);
  }

  /** Address of the node, or null when the node is not known. */
  String addressOf(int nodeId) {
    NodeInfo n = nodes.get(nodeId);
    return n == null ? null : address(n);
  }

  /** The partition's leader's address, or null. */
  String leaderAddress(TopicPartition tp) {
    Integer leader = leaders.get(tp);
    return leader == null ? null : addressOf(leader);
  }

  /**
   * Records what a NOT_LEADER answer said. Returns true when the hinted leader is usable now;
   * otherwise the leader is forgotten and the caller should refresh.
   */
  boolean leaderMoved(TopicPartition tp, int hint) {
    if (hint > 0 && nodes.containsKey(hint)) {
      leaders.put(tp, hint);
      return true;
    }
    leaders.remove(tp);
    return false;
  }

  void forgetLeader(TopicPartition tp) {
    leaders.remove(tp);
  }

  static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted", false, e);
    }
  }
}
