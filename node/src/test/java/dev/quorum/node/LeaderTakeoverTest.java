package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

class LeaderTakeoverTest {
  @Test
  void theSurvivorOfHighestPriorityStands() {
    List<RaftPeer> voters = List.of(peer(1, 0), peer(2, 0), peer(3, 1));
    assertThat(LeaderTakeover.successor(voters, RaftGroups.peerId(1)))
        .contains(RaftGroups.peerId(3));
  }

  @Test
  void amongEqualPrioritiesTheLowestNodeIdStands() {
    List<RaftPeer> voters = List.of(peer(12, 0), peer(3, 1), peer(10, 0), peer(2, 0));
    assertThat(LeaderTakeover.successor(voters, RaftGroups.peerId(3)))
        .contains(RaftGroups.peerId(2));
  }

  @Test
  void noOneStandsWhenTheCrashedNodeWasTheOnlyVoter() {
    assertThat(LeaderTakeover.successor(List.of(peer(1, 1)), RaftGroups.peerId(1))).isEmpty();
  }

  private static RaftPeer peer(int nodeId, int priority) {
    return RaftPeer.newBuilder().setId(RaftGroups.peerId(nodeId)).setPriority(priority).build();
  }
}
