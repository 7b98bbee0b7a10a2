package dev.quorum.client;

/** A request did not complete in time; for writes this is usually {@link #indeterminate()}. */
public class RequestTimeoutException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(String message) {
    super(message);
  }

  public RequestTimeoutException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public RequestTimeoutException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
