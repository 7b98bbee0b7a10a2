package dev.quorum.client;

/**
 * A newer incarnation (epoch) of this producer's id exists, so this producer is a zombie. The
 * producer is unusable afterwards: every pending and every later {@link Producer#send} fails with
 * this exception; close it. Not retriable.
 */
public class ProducerFencedException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public ProducerFencedException(String message) {
    super(message);
  }

  public ProducerFencedException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }

  public ProducerFencedException(String message, boolean indeterminate, Throwable cause) {
    super(message, indeterminate, cause);
  }
}
