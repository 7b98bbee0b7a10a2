package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LostEntriesDetectorTest {
  @Test
  void aFollowerAskingForAnEntryItHadAcknowledgedLostEntries() {
    assertThat(LostEntriesDetector.lostAcknowledgedEntries(100, 57)).isTrue();
    assertThat(LostEntriesDetector.lostAcknowledgedEntries(100, 100)).isTrue();
  }

  @Test
  void aFollowerAskingForTheNextEntryOrOneThatWasNeverAcknowledgedLostNothing() {
    assertThat(LostEntriesDetector.lostAcknowledgedEntries(100, 101)).isFalse();
    // a new leader's view: nothing acknowledged yet, every answer is fine
    assertThat(LostEntriesDetector.lostAcknowledgedEntries(-1, 0)).isFalse();
    assertThat(LostEntriesDetector.lostAcknowledgedEntries(100, -1)).isFalse();
  }

  @Test
  void eachFollowerIsResetAtMostOncePerGap() {
    LostEntriesDetector d = new LostEntriesDetector(3_000);
    assertThat(d.mayReset("g->n1", 10_000)).isTrue();
    assertThat(d.mayReset("g->n1", 12_999)).isFalse();
    assertThat(d.mayReset("g->n2", 12_999)).as("another follower").isTrue();
    assertThat(d.mayReset("g->n1", 13_000)).isTrue();
  }
}
