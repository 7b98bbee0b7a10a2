package dev.quorum.client;

/** No node could be reached, or the node is starting, stopping or overloaded. */
public class BrokerUnavailableException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public BrokerUnavailableException(String message) {
    super(message);
  }

  public BrokerUnavailableException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public BrokerUnavailableException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
