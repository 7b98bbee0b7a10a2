package dev.quorum.client;

/** The requested replication factor cannot be met by the cluster. */
public class InvalidReplicationFactorException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidReplicationFactorException(String message) {
    super(message);
  }

  public InvalidReplicationFactorException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidReplicationFactorException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
