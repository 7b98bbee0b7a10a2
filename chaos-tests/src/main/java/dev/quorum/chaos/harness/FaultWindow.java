package dev.quorum.chaos.harness;

/**
 * A fault as it actually ran: what, on which nodes, from when to when (nanos on the history's
 * clock; end -1 while still active), or why it could not start.
 */
public record FaultWindow(
    String fault, String nodes, long startNanos, long endNanos, String note) {}
