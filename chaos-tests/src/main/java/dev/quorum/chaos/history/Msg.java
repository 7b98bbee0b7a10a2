package dev.quorum.chaos.history;

import org.jspecify.annotations.Nullable;

/**
 * One message as a client saw it: the partition, the offset (-1 when not known, e.g. a send that
 * never got an answer) and the value, in the run's main topic unless {@code topic} names another
 * (the consume-transform-produce output). Values are unique per run: {@code w<writer>-<counter>},
 * {@code t<writer>-<counter>} for transactions, {@code x:<input value>} for processed outputs.
 */
public record Msg(int partition, long offset, String value, @Nullable String topic) {
  public Msg(int partition, long offset, String value) {
    this(partition, offset, value, null);
  }

  public static Msg sent(int partition, String value) {
    return new Msg(partition, -1, value);
  }

  public Msg at(long newOffset) {
    return new Msg(partition, newOffset, value, topic);
  }

  /** Whether this message lives in the run's main topic. */
  public boolean inMainTopic() {
    return topic == null;
  }
}
