package dev.quorum.client;

/** The topic does not exist. */
public class UnknownTopicException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public UnknownTopicException(String message) {
    super(message);
  }

  public UnknownTopicException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public UnknownTopicException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
