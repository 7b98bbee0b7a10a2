package dev.quorum.client;

/** A transient failure: the same request may succeed later (the producer retries these itself). */
public class RetriableBrokerException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public RetriableBrokerException(String message) {
    super(message);
  }

  public RetriableBrokerException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public RetriableBrokerException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
