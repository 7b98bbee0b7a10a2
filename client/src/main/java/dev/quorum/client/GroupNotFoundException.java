package dev.quorum.client;

/** The group does not exist. */
public class GroupNotFoundException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public GroupNotFoundException(String message) {
    super(message);
  }

  public GroupNotFoundException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public GroupNotFoundException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
