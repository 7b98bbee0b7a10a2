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

  @Test
  void aSingleLossAnswerIsOnlySuspectedASecondOneSoonAfterConfirmsIt() {
    LostEntriesDetector.Suspicion s = new LostEntriesDetector.Suspicion(10_000);
    assertThat(s.confirmedBy(1_000)).as("one answer: maybe a snapshot folded the entry").isFalse();
    assertThat(s.confirmedBy(20_000)).as("too late: a new suspicion").isFalse();
    assertThat(s.confirmedBy(25_000)).isTrue();
    assertThat(s.confirmedBy(26_000)).as("a confirmation starts over").isFalse();
  }
}
