package dev.quorum.client;

/**
 * {@link Producer#sendWithOffsets} was refused and appended nothing: a stored input offset is not
 * the one expected, because another writer (for example the instance that took over the input)
 * stored output for that input since it was read. Read the offsets again and go on from there.
 */
public class SourceOffsetConflictException extends BrokerException {
  public SourceOffsetConflictException(String message) {
    super(message);
  }

  public SourceOffsetConflictException(String message, boolean indeterminate) {
    super(message, indeterminate);
  }
}
