package dev.quorum.client;

/**
 * Base of every error the Quorum client reports for a failed broker operation.
 *
 * <p>Unchecked, like Kafka's. Futures returned by the client complete exceptionally with a
 * subclass; synchronous methods throw one. {@link #indeterminate()} tells whether a failed write
 * may nevertheless have been applied (for example after a timeout), so callers that need
 * exactly-once effects know when to check before retrying.
 */
public class BrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean indeterminate;

  public BrokerException(String message) {
    this(message, false);
  }

  public BrokerException(String message, boolean indeterminate) {
    super(message);
    this.indeterminate = indeterminate;
  }

  public BrokerException(String message, boolean indeterminate, Throwable cause) {
    super(message, cause);
    this.indeterminate = indeterminate;
  }

  /**
   * True when the write this error reports may have happened anyway; false when it certainly did
   * not.
   */
  public boolean indeterminate() {
    return indeterminate;
  }
}
