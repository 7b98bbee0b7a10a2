package dev.quorum.client;

/**
 * The transactional id is empty, too long, or contains control characters; or, when describing it,
 * no producer ever used it.
 */
public class InvalidTransactionalIdException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidTransactionalIdException(String message) {
    super(message);
  }

  public InvalidTransactionalIdException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidTransactionalIdException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
