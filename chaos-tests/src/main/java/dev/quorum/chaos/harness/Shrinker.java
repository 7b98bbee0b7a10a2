package dev.quorum.chaos.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delta debugging (Zeller's ddmin) over a failing scenario's faults: finds a smaller fault list
 * that still fails. A candidate counts as failing if any of {@code attempts} runs fails, since a
 * fault schedule reproduces a bug only with some probability.
 */
public final class Shrinker {
  private static final Logger LOG = LoggerFactory.getLogger(Shrinker.class);

  private final Predicate<Scenario> fails;

  /**
   * {@code fails} runs a candidate (several times, as the caller decides) and says if it failed.
   */
  public Shrinker(Predicate<Scenario> fails) {
    this.fails = fails;
  }

  public Scenario shrink(Scenario failing) {
    List<FaultEvent> current = failing.faults();
    int n = 2;
    while (current.size() >= 2) {
      List<List<FaultEvent>> chunks = split(current, n);
      boolean reduced = false;
      for (List<FaultEvent> chunk : chunks) {
        if (test(failing, chunk)) {
          current = chunk;
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        for (List<FaultEvent> chunk : chunks) {
          List<FaultEvent> complement = new ArrayList<>(current);
          complement.removeAll(chunk);
          if (test(failing, complement)) {
            current = complement;
            n = Math.max(n - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      if (!reduced) {
        if (n >= current.size()) {
          break;
        }
        n = Math.min(current.size(), 2 * n);
      }
    }
    if (current.size() == 1 && test(failing, List.of())) {
      current = List.of(); // the bug needs no fault at all
    }
    return failing.withFaults(current);
  }

  private boolean test(Scenario base, List<FaultEvent> faults) {
    Scenario candidate = base.withFaults(faults);
    boolean failed = fails.test(candidate);
    LOG.info("shrink candidate with {} faults: {}", faults.size(), failed ? "fails" : "passes");
    System.out.printf(
        "shrink: %d faults -> %s%n", faults.size(), failed ? "still fails" : "passes");
    return failed;
  }

  static <T> List<List<T>> split(List<T> items, int n) {
    List<List<T>> parts = new ArrayList<>();
    int size = items.size();
    int start = 0;
    for (int i = 0; i < n; i++) {
      int end = start + (size - start) / (n - i);
      if (end > start) {
        parts.add(List.copyOf(items.subList(start, end)));
      }
      start = end;
    }
    return parts;
  }
}
