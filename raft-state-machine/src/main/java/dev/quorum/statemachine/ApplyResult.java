package dev.quorum.statemachine;

/**
 * What applying one log entry produced: the reply for the submitter, and the in-memory changes to
 * make visible once the entry's write batch is in the store.
 */
record ApplyResult(byte[] reply, Runnable publish) {
  static ApplyResult of(byte[] reply) {
    return new ApplyResult(reply, () -> {});
  }
}
