package dev.quorum.chaos.harness;

/**
 * One timed fault of a scenario. Times are milliseconds from the start of the workload.
 *
 * @param kind kill, pause, partition, drop-request, drop-reply, delay, duplicate, clock
 * @param target {@code leader} (of partition 0, resolved when the fault starts), {@code follower},
 *     {@code node:N}, {@code all}; for partitions also {@code halves:1,2|3} and {@code oneway:1>2}
 * @param probability per request, for transport faults
 * @param amountMs the delay of {@code delay}, the clock offset of {@code clock}
 */
public record FaultEvent(
    long atMs, long durationMs, String kind, String target, double probability, long amountMs) {

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder().append(kind).append(' ').append(target).append(" at ").append(atMs);
    sb.append("ms for ").append(durationMs).append("ms");
    if (probability > 0) {
      sb.append(" p=").append(probability);
    }
    if (amountMs != 0) {
      sb.append(" amount=").append(amountMs).append("ms");
    }
    return sb.toString();
  }
}
