package dev.quorum.client;

/** The broker rejected the request as malformed. */
public class InvalidRequestException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidRequestException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
