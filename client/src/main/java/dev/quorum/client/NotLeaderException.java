package dev.quorum.client;

/** The node asked does not lead the partition; the client refreshes metadata and retries. */
public class NotLeaderException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public NotLeaderException(String message) {
    super(message);
  }

  public NotLeaderException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public NotLeaderException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
