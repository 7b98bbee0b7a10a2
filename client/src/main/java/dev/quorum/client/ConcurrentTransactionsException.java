package dev.quorum.client;

/**
 * The transaction (or the previous one of the same transactional id) is being committed or aborted;
 * the client retries once that finished.
 */
public class ConcurrentTransactionsException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public ConcurrentTransactionsException(String message) {
    super(message);
  }

  public ConcurrentTransactionsException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public ConcurrentTransactionsException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
