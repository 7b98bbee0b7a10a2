package dev.quorum.client;

/**
 * The transaction cannot commit: one of its records failed to send, or the coordinator aborted it.
 * Call {@link Producer#abortTransaction()} and start again.
 */
public class TransactionAbortedException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public TransactionAbortedException(String message) {
    super(message);
  }

  public TransactionAbortedException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public TransactionAbortedException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
