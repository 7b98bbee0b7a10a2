package dev.quorum.node;

import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;

/** Builders for wire errors. "Definite" means the write certainly did not happen. */
final class Errors {
  private Errors() {}

  static Error definite(ErrorCode code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }

  static Error indeterminate(ErrorCode code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).setIndeterminate(true).build();
  }

  static Error notLeader(String partition, int leaderHint, boolean indeterminate) {
    return Error.newBuilder()
        .setCode(ErrorCode.NOT_LEADER)
        .setMessage(
            "this node does not lead "
                + partition
                + (leaderHint > 0 ? "; node " + leaderHint + " does" : "; its leader is unknown"))
        .setLeaderHint(leaderHint)
        .setIndeterminate(indeterminate)
        .build();
  }

  static Error unknownTopic(String topic) {
    return definite(ErrorCode.UNKNOWN_TOPIC, "topic '" + topic + "' does not exist");
  }

  static Error unknownPartition(String topic, int partition, int count) {
    return definite(
        ErrorCode.UNKNOWN_PARTITION,
        "topic '" + topic + "' has no partition " + partition + " (it has " + count + ")");
  }
}
