package dev.quorum.client;

import java.time.Instant;

/**
 * A producer as one partition's leader remembers it.
 *
 * @param lastSequence the sequence number of its newest batch here in this epoch, or -1
 * @param lastAppended when it last appended here
 * @param transactionEpoch the epoch of its open transaction here, or -1 when none is open
 * @param transactionFirstOffset where its open transaction starts (the last stable offset cannot
 *     pass it), or -1 when none is open
 */
public record ProducerDescription(
    TopicPartition partition,
    long producerId,
    int producerEpoch,
    int lastSequence,
    Instant lastAppended,
    int transactionEpoch,
    long transactionFirstOffset) {

  public boolean transactionOpen() {
    return transactionEpoch >= 0;
  }
}
