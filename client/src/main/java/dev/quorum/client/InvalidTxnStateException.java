package dev.quorum.client;

/**
 * The request does not fit the transaction's state: for example a commit of a transaction the
 * coordinator already aborted because it outlived its timeout. Abort the transaction and start a
 * new one.
 */
public class InvalidTxnStateException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidTxnStateException(String message) {
    super(message);
  }

  public InvalidTxnStateException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidTxnStateException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
