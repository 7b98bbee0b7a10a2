package dev.quorum.client;

/**
 * The partition expected a different sequence number from this idempotent producer: an earlier
 * batch of the partition is missing there. The batch was not appended; neither are the records the
 * producer had queued behind it for that partition (their order could no longer be guaranteed).
 * Records sent afterwards go out under a fresh producer id. Not retriable.
 */
public class OutOfOrderSequenceException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public OutOfOrderSequenceException(String message) {
    super(message);
  }

  public OutOfOrderSequenceException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public OutOfOrderSequenceException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
