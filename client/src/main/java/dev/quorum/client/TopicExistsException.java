package dev.quorum.client;

/** A topic with that name already exists. */
public class TopicExistsException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public TopicExistsException(String message) {
    super(message);
  }

  public TopicExistsException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public TopicExistsException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
