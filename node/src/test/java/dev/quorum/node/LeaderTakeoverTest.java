package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;

/** Which surviving replica stands for leader when a group's leader (node 1 here) crashed. */
class LeaderTakeoverTest {
  private static final RaftPeerId CRASHED = RaftGroups.peerId(1);

  @Test
  void theSurvivorWhoseLogEndsFurtherStandsWhateverItsRank() {
    List<RaftPeer> voters = List.of(peer(1, 1), peer(2, 1), peer(3, 0));
    Map<Integer, TermIndex> ends =
        Map.of(2, TermIndex.valueOf(4, 99), 3, TermIndex.valueOf(4, 100));

    assertThat(stands(3, voters, ends)).isTrue();
    assertThat(stands(2, voters, ends)).isFalse();
  }

  @Test
  void aLaterTermEndsFurtherThanAHigherIndex() {
    List<RaftPeer> voters = List.of(peer(1, 0), peer(2, 0), peer(3, 0));
    Map<Integer, TermIndex> ends = Map.of(2, TermIndex.valueOf(5, 10), 3, TermIndex.valueOf(4, 50));

    assertThat(stands(2, voters, ends)).isTrue();
    assertThat(stands(3, voters, ends)).isFalse();
  }

  @Test
  void amongEqualLogsTheHigherPriorityThenTheLowerNodeIdStands() {
    TermIndex end = TermIndex.valueOf(3, 7);
    List<RaftPeer> prioritised = List.of(peer(1, 0), peer(2, 0), peer(3, 1));
    Map<Integer, TermIndex> ends = Map.of(2, end, 3, end);
    assertThat(stands(3, prioritised, ends)).isTrue();
    assertThat(stands(2, prioritised, ends)).isFalse();

    List<RaftPeer> equal = List.of(peer(1, 1), peer(12, 0), peer(4, 0));
    Map<Integer, TermIndex> sameEnds = Map.of(12, end, 4, end);
    assertThat(stands(4, equal, sameEnds)).isTrue();
    assertThat(stands(12, equal, sameEnds)).isFalse();
  }

  @Test
  void withoutAPeersLogEndItsRankAloneDecides() {
    List<RaftPeer> voters = List.of(peer(1, 1), peer(2, 0), peer(3, 0));
    // Node 3 heard nothing from node 2 and node 2 nothing from node 3: only node 2 stands.
    assertThat(stands(3, voters, Map.of(3, TermIndex.valueOf(2, 5)))).isFalse();
    assertThat(stands(2, voters, Map.of(2, TermIndex.valueOf(2, 5)))).isTrue();
  }

  @Test
  void aNodeOutsideTheVotersNeverStands() {
    List<RaftPeer> voters = List.of(peer(1, 1), peer(2, 0), peer(3, 0));
    assertThat(stands(4, voters, Map.of(4, TermIndex.valueOf(9, 9)))).isFalse();
  }

  /** Whether node {@code self} stands, with each node's log end as given (self's included). */
  private static boolean stands(int self, List<RaftPeer> voters, Map<Integer, TermIndex> ends) {
    return LeaderTakeover.standsFor(
        RaftGroups.peerId(self),
        ends.get(self),
        voters,
        CRASHED,
        peer -> ends.get(RaftGroups.nodeIdOf(peer)));
  }

  private static RaftPeer peer(int nodeId, int priority) {
    return RaftPeer.newBuilder().setId(RaftGroups.peerId(nodeId)).setPriority(priority).build();
  }
}
