package dev.quorum.client;

/** An unexpected error inside the broker or the transport. */
public class InternalBrokerException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InternalBrokerException(String message) {
    super(message);
  }

  public InternalBrokerException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InternalBrokerException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
