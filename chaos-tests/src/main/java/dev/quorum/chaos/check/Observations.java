package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Indexes of a history that every checker needs: who attempted each value and how that ended, and
 * every place each value was read. Reads count from ok polls only; an indeterminate or failed poll
 * tells nothing (our client returns no records with a failure).
 */
public final class Observations {
  private final History history;
  private final Map<String, History.Pair> writerOf = new HashMap<>();
  private final Map<String, Set<Msg>> readsOf = new LinkedHashMap<>();
  private final Map<Integer, TreeMap<Long, Set<String>>> valuesAt = new TreeMap<>();
  private final Map<Integer, Long> maxReadOffset = new HashMap<>();

  public Observations(History history) {
    this.history = history;
    for (History.Pair pair : history.pairs()) {
      for (Msg write : pair.invoke().writes()) {
        if (write.inMainTopic()) {
          writerOf.put(write.value(), pair);
        }
      }
      if (pair.ok()) {
        for (Msg read : pair.completion().reads()) {
          if (!read.inMainTopic()) {
            continue;
          }
          readsOf.computeIfAbsent(read.value(), v -> new LinkedHashSet<>()).add(read);
          note(read);
          maxReadOffset.merge(read.partition(), read.offset(), Math::max);
        }
        for (Msg write : pair.completion().writes()) {
          if (write.offset() >= 0 && write.inMainTopic()) {
            note(write);
          }
        }
      }
    }
  }

  private void note(Msg msg) {
    valuesAt
        .computeIfAbsent(msg.partition(), p -> new TreeMap<>())
        .computeIfAbsent(msg.offset(), o -> new LinkedHashSet<>())
        .add(msg.value());
  }

  public History history() {
    return history;
  }

  /** The operation that attempted {@code value}, if any did. */
  public History.Pair writerOf(String value) {
    return writerOf.get(value);
  }

  public boolean attempted(String value) {
    return writerOf.containsKey(value);
  }

  /** Every (partition, offset) where {@code value} was read; empty if never. */
  public Set<Msg> readsOf(String value) {
    return readsOf.getOrDefault(value, Set.of());
  }

  public Map<String, Set<Msg>> allReads() {
    return readsOf;
  }

  /** Per partition, per offset, every value acknowledged or read there. */
  public Map<Integer, TreeMap<Long, Set<String>>> valuesAt() {
    return valuesAt;
  }

  /**
   * Whether a record a consumer must return lives at this offset: some value was acknowledged or
   * read there, and it is not from a write that failed (an aborted transaction). Offsets nobody saw
   * a value at (transaction markers, aborted records) may be skipped.
   */
  public boolean visibleAt(int partition, long offset) {
    var values = valuesAt.getOrDefault(partition, new TreeMap<>()).get(offset);
    if (values == null) {
      return false;
    }
    for (String v : values) {
      History.Pair writer = writerOf.get(v);
      if (writer == null || writer.type() != Op.Type.fail) {
        return true;
      }
    }
    return false;
  }

  /** The first visible offset in [from, to), or -1. */
  public long firstVisible(int partition, long from, long to) {
    var offsets = valuesAt.getOrDefault(partition, new TreeMap<>()).subMap(from, true, to, false);
    for (long offset : offsets.keySet()) {
      if (visibleAt(partition, offset)) {
        return offset;
      }
    }
    return -1;
  }

  public long maxReadOffset(int partition) {
    return maxReadOffset.getOrDefault(partition, -1L);
  }

  /** Writes of completed sends and transactions, with their completion (offsets when ok). */
  public List<WriteOutcome> writes() {
    List<WriteOutcome> result = new ArrayList<>();
    for (History.Pair pair : history.pairs()) {
      List<Msg> acked = pair.completion().writes();
      for (int i = 0; i < pair.invoke().writes().size(); i++) {
        Msg attempted = pair.invoke().writes().get(i);
        if (!attempted.inMainTopic()) {
          continue;
        }
        Msg outcome = pair.ok() && i < acked.size() ? acked.get(i) : attempted;
        result.add(new WriteOutcome(pair, outcome));
      }
    }
    return result;
  }

  /** A written value with the operation that wrote it; {@code msg.offset} is -1 unless acked. */
  public record WriteOutcome(History.Pair op, Msg msg) {
    public Op.Type type() {
      return op.type();
    }
  }
}
