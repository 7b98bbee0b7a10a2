package dev.quorum.client;

/**
 * The node asked does not coordinate the group; the client moves to the hinted coordinator (or
 * looks it up again) and retries.
 */
public class NotCoordinatorException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public NotCoordinatorException(String message) {
    super(message);
  }

  public NotCoordinatorException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public NotCoordinatorException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
