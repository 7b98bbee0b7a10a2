package dev.quorum.client;

/**
 * The group has offsets written by a transaction that is neither committed nor aborted yet; a
 * read_committed consumer waits for the outcome before resuming from them.
 */
public class UnstableOffsetCommitException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public UnstableOffsetCommitException(String message) {
    super(message);
  }

  public UnstableOffsetCommitException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public UnstableOffsetCommitException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
