package dev.quorum.chaos.harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one try does, generated from a seed and written to {@code scenario.json}: the tier,
 * the workload knobs and the timed faults. Replaying the file repeats the same intent; what the
 * cluster does under it still depends on thread timing, which is why shrinking re-runs candidates.
 *
 * @param seed the seed it was generated from (also seeds the transport faults' dice)
 * @param tier in-process or process
 * @param txnWriters transactional producers (2-3 values per transaction, over partitions, some
 *     aborted on purpose); when non-zero every consumer reads read_committed
 * @param processors consume-transform-produce workers: read the topic in group {@code chaos-eos}
 *     (read_committed), write {@code x:<value>} to {@code chaos-out} and commit the input offsets
 *     in the same transaction
 * @param sendIntervalMs pause between one writer's sends (pacing, to keep 2 cores usable)
 * @param seededBugs names of seeded bugs the nodes run with (normally none)
 * @param bankTransferers transactional producers of the bank workload (0: no bank workload): each
 *     moves amounts between two accounts on different partitions, a debit and a credit per
 *     transaction, some aborted on purpose
 * @param bankReaders read_committed readers that repeatedly read every partition from offset 0 and
 *     record the bank records they saw and where each partition's read stopped
 */
public record Scenario(
    long seed,
    String tier,
    int nodes,
    long durationMs,
    int partitions,
    int writers,
    int assignConsumers,
    int groupMembers,
    int txnWriters,
    int processors,
    boolean idempotent,
    int sendIntervalMs,
    List<String> seededBugs,
    List<FaultEvent> faults,
    int bankTransferers,
    int bankReaders) {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  public Scenario {
    seededBugs = List.copyOf(seededBugs);
    faults = List.copyOf(faults);
  }

  /** Whether any client reads read_committed (transactions are in the workload). */
  public boolean readCommitted() {
    return txnWriters > 0 || processors > 0 || bankTransferers > 0;
  }

  public Scenario withFaults(List<FaultEvent> newFaults) {
    return new Scenario(
        seed,
        tier,
        nodes,
        durationMs,
        partitions,
        writers,
        assignConsumers,
        groupMembers,
        txnWriters,
        processors,
        idempotent,
        sendIntervalMs,
        seededBugs,
        newFaults,
        bankTransferers,
        bankReaders);
  }

  public String toJson() {
    return GSON.toJson(this);
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toJson() + "\n", StandardCharsets.UTF_8);
  }

  public static Scenario read(Path file) throws IOException {
    Scenario s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Scenario.class);
    return s.withFaults(s.faults() == null ? List.of() : s.faults());
  }
}
