package dev.quorum.client.internal;

import dev.quorum.client.ProducerRecord;
import dev.quorum.client.RecordMetadata;
import dev.quorum.client.SourceOffsetUpdate;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.FetchSourceOffsetsRequest;
import dev.quorum.protocol.v1.FetchSourceOffsetsResponse;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.PartitionProduceResult;
import dev.quorum.protocol.v1.ProduceRequest;
import dev.quorum.protocol.v1.ProduceResponse;
import dev.quorum.protocol.v1.SourceOffset;
import dev.quorum.protocol.v1.SourceOffsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The producer's exactly-once path without a transaction: records and the input offsets they were
 * made from, appended to one partition in one request and one log entry. The request's id makes
 * retries safe, so it is resent through leader changes until the delivery timeout.
 */
final class SourceOffsetWriter {
  private final LeaderCalls leaders;
  private final Duration deliveryTimeout;
  private final Duration requestTimeout;

  SourceOffsetWriter(LeaderCalls leaders, Duration deliveryTimeout, Duration requestTimeout) {
    this.leaders = leaders;
    this.deliveryTimeout = deliveryTimeout;
    this.requestTimeout = requestTimeout;
  }

  RecordMetadata send(
      TopicPartition output,
      List<ProducerRecord> records,
      String owner,
      Map<TopicPartition, SourceOffsetUpdate> offsets) {
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(owner, "owner");
    if (records.isEmpty()) {
      throw new IllegalArgumentException("sendWithOffsets needs at least one record");
    }
    if (offsets.isEmpty()) {
      throw new IllegalArgumentException("sendWithOffsets needs at least one source offset");
    }
    PartitionProduce.Builder produce =
        PartitionProduce.newBuilder().setTopic(output.topic()).setPartition(output.partition());
    for (ProducerRecord r : records) {
      if (!r.topic().equals(output.topic())
          || (r.partition() != null && r.partition() != output.partition())) {
        throw new IllegalArgumentException(
            "every record of sendWithOffsets goes to " + output + ", not " + r.topic());
      }
      produce.addRecords(WireRecords.toWire(r));
    }
    SourceOffsets.Builder sources =
        SourceOffsets.newBuilder().setOwner(owner).setRequestId(UUID.randomUUID().toString());
    offsets.forEach(
        (tp, update) ->
            sources.addOffsets(
                SourceOffset.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setExpected(update.expected())
                    .setNext(update.next())));
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .addPartitions(produce.setSourceOffsets(sources))
            .setTimeoutMs((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()))
            .build();
    ProduceResponse response =
        leaders.call(
            output,
            stub -> stub.produce(request),
            r -> r.getPartitionsCount() == 1 ? r.getPartitions(0).getError() : null,
            QuorumConsumer.deadline(deliveryTimeout),
            true);
    PartitionProduceResult result = response.getPartitions(0);
    return new RecordMetadata(
        output.topic(), output.partition(), result.getBaseOffset(), result.getAppendTimeMs());
  }

  Map<TopicPartition, Long> stored(TopicPartition output, String owner) {
    FetchSourceOffsetsRequest request =
        FetchSourceOffsetsRequest.newBuilder()
            .setTopic(output.topic())
            .setPartition(output.partition())
            .setOwner(Objects.requireNonNull(owner, "owner"))
            .build();
    FetchSourceOffsetsResponse response =
        leaders.call(
            output,
            stub -> stub.fetchSourceOffsets(request),
            FetchSourceOffsetsResponse::getError,
            QuorumConsumer.deadline(requestTimeout),
            false);
    Map<TopicPartition, Long> stored = new LinkedHashMap<>();
    for (SourceOffset o : response.getOffsetsList()) {
      stored.put(new TopicPartition(o.getTopic(), o.getPartition()), o.getNext());
    }
    return stored;
  }
}
