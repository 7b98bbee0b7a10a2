package dev.quorum.client;

/** The partition has no leader right now, for example during an election. */
public class LeaderNotAvailableException extends RetriableBrokerException {
  private static final long serialVersionUID = 1L;

  public LeaderNotAvailableException(String message) {
    super(message);
  }

  public LeaderNotAvailableException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public LeaderNotAvailableException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
