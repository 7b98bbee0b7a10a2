package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Exactly-once processing (consume-transform-produce in transactions): every input record below the
 * processing group's final committed offset has exactly one output {@code x:<value>} in the output
 * topic; none above it has one (its output committed without its input offset: a torn transaction);
 * and no output appears twice. Outputs are read by the final read_committed drain of the output
 * topic.
 */
final class ConsumeOnce implements Checker {
  static final String PREFIX = "x:";

  @Override
  public String name() {
    return "consume-once";
  }

  @Override
  public CheckResult check(Observations o, FinalState s) {
    if (o.history().pairs("process").isEmpty()) {
      return CheckResult.skipped(name(), ExactlyOnceChecks.EXACTLY_ONCE, "no processors ran");
    }
    Map<String, Set<String>> outputs = new HashMap<>(); // input value -> output places
    for (History.Pair pair : o.history().pairs()) {
      if (!pair.ok()) {
        continue;
      }
      for (Msg r : pair.completion().reads()) {
        if (!r.inMainTopic() && r.value().startsWith(PREFIX)) {
          outputs
              .computeIfAbsent(r.value().substring(PREFIX.length()), v -> new HashSet<>())
              .add(r.topic() + "/" + r.partition() + "/" + r.offset());
        }
      }
    }
    List<String> found = new ArrayList<>();
    for (Map.Entry<Integer, TreeMap<Long, Set<String>>> p : o.valuesAt().entrySet()) {
      long upTo = s.processedUpTo().getOrDefault(p.getKey(), 0L);
      for (Map.Entry<Long, Set<String>> at : p.getValue().entrySet()) {
        if (!o.visibleAt(p.getKey(), at.getKey())) {
          continue;
        }
        for (String value : at.getValue()) {
          int count = outputs.getOrDefault(value, Set.of()).size();
          boolean consumed = at.getKey() < upTo;
          if (count > 1) {
            found.add(value + " was processed " + count + " times");
          } else if (consumed && count == 0) {
            found.add(
                value
                    + " at partition "
                    + p.getKey()
                    + " offset "
                    + at.getKey()
                    + " is below the committed offset "
                    + upTo
                    + " but has no output");
          } else if (!consumed && count == 1) {
            found.add(
                value
                    + " at partition "
                    + p.getKey()
                    + " offset "
                    + at.getKey()
                    + " has an output, but the group's committed offset is only "
                    + upTo);
          }
        }
      }
    }
    return CheckResult.of(name(), ExactlyOnceChecks.EXACTLY_ONCE, found);
  }
}
