package dev.quorum.client;

/**
 * The coordinator does not know the member (it left, or its session expired): the member lost its
 * partitions and rejoins.
 */
public class UnknownMemberException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public UnknownMemberException(String message) {
    super(message);
  }

  public UnknownMemberException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public UnknownMemberException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
