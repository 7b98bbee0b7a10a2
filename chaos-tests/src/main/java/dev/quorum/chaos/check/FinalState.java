package dev.quorum.chaos.check;

import java.util.List;
import java.util.Map;

/**
 * What the harness learned about the cluster after healing every fault.
 *
 * @param recovered whether every partition had a leader and caught-up replicas within the bound
 * @param recoveryMillis how long that took (or the bound, when it did not happen)
 * @param drainComplete whether the final drain reached every partition's end offset
 * @param replicas per partition, per node: the replica's end offset (absent nodes are missing)
 * @param replicaLogs per partition, per node: the values of a full dump of the replica, where the
 *     tier can read replicas directly (empty otherwise)
 * @param processedUpTo per input partition, the consume-transform-produce group's committed offset
 *     at the end (empty when the run had no processors)
 * @param dumps per partition, per node: the replica read from the stopped node's disk after the
 *     drain (empty when the try ended before that)
 */
public record FinalState(
    boolean recovered,
    long recoveryMillis,
    boolean drainComplete,
    Map<Integer, Map<Integer, Long>> replicas,
    Map<Integer, Map<Integer, List<String>>> replicaLogs,
    Map<Integer, Long> processedUpTo,
    Map<Integer, Map<Integer, ReplicaDump>> dumps) {

  public FinalState(
      boolean recovered,
      long recoveryMillis,
      boolean drainComplete,
      Map<Integer, Map<Integer, Long>> replicas,
      Map<Integer, Map<Integer, List<String>>> replicaLogs,
      Map<Integer, Long> processedUpTo) {
    this(recovered, recoveryMillis, drainComplete, replicas, replicaLogs, processedUpTo, Map.of());
  }

  public FinalState(
      boolean recovered,
      long recoveryMillis,
      boolean drainComplete,
      Map<Integer, Map<Integer, Long>> replicas,
      Map<Integer, Map<Integer, List<String>>> replicaLogs) {
    this(recovered, recoveryMillis, drainComplete, replicas, replicaLogs, Map.of());
  }

  public static FinalState healthy() {
    return new FinalState(true, 0, true, Map.of(), Map.of());
  }

  /** The same state with {@code dumps}. */
  public FinalState withDumps(Map<Integer, Map<Integer, ReplicaDump>> newDumps) {
    return new FinalState(
        recovered, recoveryMillis, drainComplete, replicas, replicaLogs, processedUpTo, newDumps);
  }
}
