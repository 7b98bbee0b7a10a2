package dev.quorum.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts acknowledged and failed sends without holding on to every future, so {@code produce} can
 * stream any amount of input. Keeps only the first few error messages for printing.
 */
final class SendOutcomes {
  static final int MAX_REPORTED_ERRORS = 20;

  private final List<String> errors = new ArrayList<>();
  private long pending;
  private long produced;
  private long failed;

  synchronized void started() {
    pending++;
  }

  synchronized void succeeded() {
    produced++;
    finished();
  }

  synchronized void failed(long lineNumber, Throwable error) {
    failed++;
    report("line " + lineNumber + ": " + error.getMessage());
    finished();
  }

  /** A committed transaction's records. */
  synchronized void succeeded(long records) {
    produced += records;
  }

  /** An aborted transaction: each of its lines failed, whatever its own send did. */
  synchronized void failedBatch(long firstLine, long lastLine, Throwable error) {
    failed += lastLine - firstLine + 1;
    report("lines " + firstLine + "-" + lastLine + ": transaction aborted: " + error.getMessage());
  }

  /** An aborted transaction whose failed sends are in {@code batch}. */
  synchronized void failedBatch(long firstLine, long lastLine, SendOutcomes batch) {
    failed += lastLine - firstLine + 1;
    batch.errors().forEach(this::report);
    report("lines " + firstLine + "-" + lastLine + ": transaction aborted");
  }

  private void report(String error) {
    if (errors.size() < MAX_REPORTED_ERRORS) {
      errors.add(error);
    }
  }

  /** Blocks until every started send succeeded or failed. */
  synchronized void awaitAll() throws InterruptedException {
    while (pending > 0) {
      wait();
    }
  }

  synchronized long produced() {
    return produced;
  }

  synchronized long failed() {
    return failed;
  }

  synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  private void finished() {
    pending--;
    notifyAll();
  }
}
