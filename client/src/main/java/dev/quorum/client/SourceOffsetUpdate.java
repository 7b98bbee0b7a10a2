package dev.quorum.client;

/**
 * Moves one input partition's stored offset, for {@link Producer#sendWithOffsets}.
 *
 * @param expected the offset the writer read with {@link Producer#sourceOffsets} (-1 when none was
 *     stored): the write is refused if the stored offset moved since
 * @param next the offset to resume from after this write: the last input offset processed, plus 1
 */
public record SourceOffsetUpdate(long expected, long next) {
  public SourceOffsetUpdate {
    if (expected < -1 || next < 0) {
      throw new IllegalArgumentException(
          "expected must be >= -1 and next >= 0, were " + expected + " and " + next);
    }
  }
}
