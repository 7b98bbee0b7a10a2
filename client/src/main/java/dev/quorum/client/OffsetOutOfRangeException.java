package dev.quorum.client;

/** A fetch asked for an offset outside the partition's log, and no reset policy applied. */
public class OffsetOutOfRangeException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public OffsetOutOfRangeException(String message) {
    super(message);
  }

  public OffsetOutOfRangeException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public OffsetOutOfRangeException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
