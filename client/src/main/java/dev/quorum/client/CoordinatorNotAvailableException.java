package dev.quorum.client;

/**
 * The group's coordinator is not available yet (its partition of {@code __groups} has no leader);
 * the client retries with backoff.
 */
public class CoordinatorNotAvailableException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public CoordinatorNotAvailableException(String message) {
    super(message);
  }

  public CoordinatorNotAvailableException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public CoordinatorNotAvailableException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
