package dev.quorum.cli;

/**
 * A failure the CLI reports as {@code error: <message>} with exit status 1, like a broker error.
 */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }
}
