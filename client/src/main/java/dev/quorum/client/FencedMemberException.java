package dev.quorum.client;

/**
 * The member no longer holds a partition it tried to commit (the partition moved to another
 * member), or it is an outdated incarnation of the member. The coordinator refuses such commits so
 * that a zombie cannot overwrite the new owner's progress; {@link Consumer#commitSync()} throws it.
 */
public class FencedMemberException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public FencedMemberException(String message) {
    super(message);
  }

  public FencedMemberException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public FencedMemberException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
