package dev.quorum.client;

/** The topic name is not acceptable to the broker. */
public class InvalidTopicException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidTopicException(String message) {
    super(message);
  }

  public InvalidTopicException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidTopicException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
