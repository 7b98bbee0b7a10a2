package dev.quorum.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A transactional id as its coordinator sees it.
 *
 * @param producerEpoch the epoch of the open transaction, or of the producer's next one
 * @param state EMPTY (no transaction open), ONGOING, PREPARE_COMMIT or PREPARE_ABORT (the outcome
 *     is decided and the markers are being written)
 * @param partitions the partitions of the open transaction
 * @param started when the open transaction started; null when none is open
 * @param coordinator the node id of the coordinator
 * @param lastOutcome how the previous transaction ended: COMMITTED, ABORTED, or empty
 */
public record TransactionDescription(
    String transactionalId,
    long producerId,
    int producerEpoch,
    String state,
    Set<TopicPartition> partitions,
    @Nullable Instant started,
    Duration timeout,
    int coordinator,
    String lastOutcome) {}
