package dev.quorum.chaos.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exactly-once as stored: on every replica, the batches of one producer epoch in one partition
 * carry contiguous sequence numbers, each following the previous batch's last one (a repeat is a
 * retry appended twice, a gap a batch lost in the middle), and no value of a producer with an id is
 * stored in two batches. Judged on the replica dumps; clients never see sequences.
 */
final class ProducerSequence implements Checker {
  @Override
  public String name() {
    return "producer-sequence";
  }

  @Override
  public CheckResult check(Observations o, FinalState s) {
    if (s.dumps().isEmpty()) {
      return CheckResult.skipped(name(), ExactlyOnceChecks.EXACTLY_ONCE, "no replica dumps");
    }
    List<String> found = new ArrayList<>();
    boolean anyProducer = false;
    Map<Integer, Map<Integer, ReplicaDump>> byNode = new TreeMap<>();
    s.dumps()
        .forEach(
            (partition, replicas) ->
                replicas.forEach(
                    (node, dump) ->
                        byNode.computeIfAbsent(node, n -> new TreeMap<>()).put(partition, dump)));
    for (Map.Entry<Integer, Map<Integer, ReplicaDump>> node : byNode.entrySet()) {
      Map<String, String> storedIn = new HashMap<>();
      for (Map.Entry<Integer, ReplicaDump> replica : node.getValue().entrySet()) {
        String where = "node " + node.getKey() + " partition " + replica.getKey();
        Map<String, ReplicaDump.StoredBatch> lastOf = new HashMap<>();
        for (ReplicaDump.StoredBatch batch : replica.getValue().batches()) {
          if (batch.producerId() == 0) {
            continue;
          }
          anyProducer = true;
          String producer = "producer " + batch.producerId() + " epoch " + batch.epoch();
          ReplicaDump.StoredBatch previous = lastOf.put(producer, batch);
          if (previous != null && batch.baseSequence() != previous.lastSequence() + 1) {
            found.add(
                where
                    + ": "
                    + producer
                    + (batch.baseSequence() <= previous.lastSequence() ? " repeats" : " skips")
                    + " sequences: the batch at offset "
                    + batch.baseOffset()
                    + " starts at "
                    + batch.baseSequence()
                    + " after sequence "
                    + previous.lastSequence()
                    + " at offset "
                    + previous.baseOffset());
          }
          for (String value : batch.values()) {
            String here = where + " offset " + batch.baseOffset();
            String earlier = storedIn.putIfAbsent(value, here);
            if (earlier != null) {
              found.add(value + " is stored in two batches: " + earlier + " and " + here);
            }
          }
        }
      }
    }
    if (!anyProducer && found.isEmpty()) {
      return CheckResult.skipped(
          name(), ExactlyOnceChecks.EXACTLY_ONCE, "no batch of a producer with an id was stored");
    }
    return CheckResult.of(name(), ExactlyOnceChecks.EXACTLY_ONCE, found);
  }
}
