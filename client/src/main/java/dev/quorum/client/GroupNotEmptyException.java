package dev.quorum.client;

/** An administrative change (such as resetting offsets) needs a group without active members. */
public class GroupNotEmptyException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public GroupNotEmptyException(String message) {
    super(message);
  }

  public GroupNotEmptyException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public GroupNotEmptyException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
