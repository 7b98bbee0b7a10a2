package dev.quorum.client;

/** The requested partition count is not acceptable to the broker. */
public class InvalidPartitionsException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidPartitionsException(String message) {
    super(message);
  }

  public InvalidPartitionsException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidPartitionsException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
