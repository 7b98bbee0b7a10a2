package dev.quorum.chaos.cluster;

import dev.quorum.node.EmbeddedBroker;
import java.lang.reflect.Field;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * Partitions between in-process nodes at the Raft level, through Ratis' own injection points: a
 * blocked link makes the receiving server refuse the sender's AppendEntries and RequestVote, as if
 * the network had dropped them. The injection points are JVM-wide, so only one in-process cluster
 * may use them at a time.
 */
final class RaftLinks implements AutoCloseable {
  private static final String APPEND_ENTRIES = injectionPoint("APPEND_ENTRIES");
  private static final String REQUEST_VOTE = injectionPoint("REQUEST_VOTE");
  private static final String INSTALL_SNAPSHOT = injectionPoint("INSTALL_SNAPSHOT");

  /** Blocked links as "from->to" node ids. */
  private final Set<String> blocked = ConcurrentHashMap.newKeySet();

  RaftLinks() {
    CodeInjectionForTesting.Code refuse =
        (localId, remoteId, args) -> {
          if (!blocked.isEmpty() && blocked.contains(nodeOf(remoteId) + "->" + nodeOf(localId))) {
            throw new IllegalStateException("chaos: link " + remoteId + "->" + localId + " cut");
          }
          return true;
        };
    CodeInjectionForTesting.put(APPEND_ENTRIES, refuse);
    CodeInjectionForTesting.put(REQUEST_VOTE, refuse);
    CodeInjectionForTesting.put(INSTALL_SNAPSHOT, refuse);
  }

  void block(int from, int to) {
    blocked.add(from + "->" + to);
  }

  void unblock(int from, int to) {
    blocked.remove(from + "->" + to);
  }

  void clear() {
    blocked.clear();
  }

  private static int nodeOf(Object peerId) {
    return peerId == null ? 0 : EmbeddedBroker.nodeIdOf(peerId.toString());
  }

  private static String injectionPoint(String field) {
    try {
      // package-private constants of a package-private class: read them rather than copy the text
      Field f =
          Class.forName("org.apache.ratis.server.impl.RaftServerImpl").getDeclaredField(field);
      f.setAccessible(true);
      return (String) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Ratis has no injection point " + field, e);
    }
  }

  @Override
  public void close() {
    blocked.clear();
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
    CodeInjectionForTesting.remove(REQUEST_VOTE);
    CodeInjectionForTesting.remove(INSTALL_SNAPSHOT);
  }
}
