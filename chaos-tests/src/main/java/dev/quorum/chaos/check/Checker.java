package dev.quorum.chaos.check;

/**
 * One property of a history (plus the cluster's final state) that a correct broker never breaks.
 */
public interface Checker {
  String name();

  CheckResult check(Observations observations, FinalState finalState);
}
