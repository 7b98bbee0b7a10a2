package dev.quorum.client;

/** The producer buffer stayed full for longer than {@code maxBlock}. */
public class BufferExhaustedException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public BufferExhaustedException(String message) {
    super(message);
  }

  public BufferExhaustedException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public BufferExhaustedException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
