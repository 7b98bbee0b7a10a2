package dev.quorum.client;

/** The topic exists but has no partition with that number. */
public class UnknownPartitionException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public UnknownPartitionException(String message) {
    super(message);
  }

  public UnknownPartitionException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public UnknownPartitionException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
