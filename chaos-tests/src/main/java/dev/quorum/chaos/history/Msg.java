package dev.quorum.chaos.history;

/**
 * One message as a client saw it: the partition, the offset (-1 when not known, e.g. a send that
 * never got an answer) and the value. Values are unique per run: {@code w<writer>-<counter>}.
 */
public record Msg(int partition, long offset, String value) {
  public static Msg sent(int partition, String value) {
    return new Msg(partition, -1, value);
  }

  public Msg at(long newOffset) {
    return new Msg(partition, newOffset, value);
  }
}
