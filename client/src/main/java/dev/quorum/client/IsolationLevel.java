package dev.quorum.client;

/** Which records of transactions a consumer sees. */
public enum IsolationLevel {
  /** Every record, including those of open and aborted transactions. */
  READ_UNCOMMITTED,
  /**
   * Records outside transactions and records of committed transactions only, each once its
   * transaction committed; nothing after the first record of a still-open transaction.
   */
  READ_COMMITTED
}
