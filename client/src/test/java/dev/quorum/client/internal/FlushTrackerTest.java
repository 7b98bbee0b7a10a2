package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FlushTrackerTest {
  private final FlushTracker tracker = new FlushTracker();

  @Test
  void aFlushWaitsForEveryRecordSentBeforeIt() {
    FlushTracker.Generation a = tracker.sent();
    FlushTracker.Generation b = tracker.sent();
    CompletableFuture<Void> flushed = tracker.close();
    assertThat(flushed).isNotDone();
    b.done();
    assertThat(flushed).isNotDone();
    a.done();
    assertThat(flushed).isDone();
  }

  @Test
  void aFlushDoesNotWaitForRecordsSentAfterIt() {
    FlushTracker.Generation before = tracker.sent();
    CompletableFuture<Void> flushed = tracker.close();
    FlushTracker.Generation after = tracker.sent();
    before.done();
    assertThat(flushed).isDone();
    assertThat(tracker.close()).isNotDone();
    after.done();
    assertThat(tracker.close()).isDone();
  }

  @Test
  void aLaterFlushAlsoWaitsForRecordsAnEarlierFlushStillWaitsFor() {
    FlushTracker.Generation first = tracker.sent();
    CompletableFuture<Void> earlier = tracker.close();
    FlushTracker.Generation second = tracker.sent();
    CompletableFuture<Void> later = tracker.close();
    second.done();
    assertThat(later).isNotDone();
    first.done();
    assertThat(earlier).isDone();
    assertThat(later).isDone();
  }

  @Test
  void aFlushWithNothingSentIsDoneAtOnce() {
    assertThat(tracker.close()).isDone();
  }
}
