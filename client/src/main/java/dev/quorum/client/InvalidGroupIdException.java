package dev.quorum.client;

/** The group id is blank or longer than 249 characters. */
public class InvalidGroupIdException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidGroupIdException(String message) {
    super(message);
  }

  public InvalidGroupIdException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public InvalidGroupIdException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
