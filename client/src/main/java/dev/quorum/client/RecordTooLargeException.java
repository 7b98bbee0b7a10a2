package dev.quorum.client;

/** A record or batch is larger than the topic accepts; the message names the limit. */
public class RecordTooLargeException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public RecordTooLargeException(String message) {
    super(message);
  }

  public RecordTooLargeException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public RecordTooLargeException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
