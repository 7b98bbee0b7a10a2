package dev.quorum.node;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.AppendRecords;
import dev.quorum.protocol.raft.PartitionProduceView;
import dev.quorum.protocol.raft.ProduceRequestView;
import dev.quorum.protocol.v1.ErrorCode;
import dev.quorum.protocol.v1.FetchSourceOffsetsRequest;
import dev.quorum.protocol.v1.FetchSourceOffsetsResponse;
import dev.quorum.protocol.v1.PartitionProduceResult;
import dev.quorum.protocol.v1.ProduceResponse;
import dev.quorum.statemachine.RecordEncoding;
import dev.quorum.statemachine.SeededBugs;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Appends produce batches through the partition's Raft group. A partition is answered once its
 * entry is committed by a majority (each of which fsynced it) and applied by this leader.
 */
final class ProduceHandler {
  static final int DEFAULT_TIMEOUT_MS = 30_000;

  private final PartitionLookup lookup;
  private final ProduceCoalescer coalescer;
  private final Clock clock;

  ProduceHandler(PartitionLookup lookup, ProduceCoalescer coalescer, Clock clock) {
    this.lookup = lookup;
    this.coalescer = coalescer;
    this.clock = clock;
  }

  CompletableFuture<ProduceResponse> produce(ProduceRequestView request) {
    long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : DEFAULT_TIMEOUT_MS;
    List<CompletableFuture<PartitionProduceResult>> results = new ArrayList<>();
    for (PartitionProduceView partition : request.getPartitionsList()) {
      results.add(append(partition, timeoutMs));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              ProduceResponse.Builder response = ProduceResponse.newBuilder();
              results.forEach(r -> response.addPartitions(r.join()));
              return response.build();
            });
  }

  private CompletableFuture<PartitionProduceResult> append(PartitionProduceView p, long timeoutMs) {
    PartitionProduceResult.Builder result =
        PartitionProduceResult.newBuilder().setTopic(p.getTopic()).setPartition(p.getPartition());
    PartitionLookup.Resolved resolved = lookup.leaderOf(p.getTopic(), p.getPartition());
    if (resolved.error() != null) {
      return done(result.setError(resolved.error()));
    }
    LocalReplicas.Partition partition = java.util.Objects.requireNonNull(resolved.partition());
    String name = p.getTopic() + "-" + p.getPartition();
    if (p.getRecordsCount() == 0) {
      return done(
          result.setError(Errors.definite(ErrorCode.INVALID_REQUEST, "no records for " + name)));
    }
    for (int i = 0; i < p.getRecordsCount(); i++) {
      try {
        RecordEncoding.check(p.getRecords(i));
      } catch (InvalidProtocolBufferException e) {
        return done(
            result.setError(
                Errors.definite(
                    ErrorCode.INVALID_REQUEST,
                    "record " + i + " for " + name + " is not a valid record: " + e.getMessage())));
      }
    }
    AppendRecords.Builder builder =
        AppendRecords.newBuilder()
            .setAppendTimeMs(clock.millis())
            .addAllRecords(p.getRecordsList())
            .setProducerId(p.getProducerId())
            .setProducerEpoch(p.getProducerEpoch())
            .setBaseSequence(p.getBaseSequence())
            .setTransactional(p.getTransactional());
    if (p.hasSourceOffsets()) {
      builder.setSourceOffsets(p.getSourceOffsets());
    }
    AppendRecords append = builder.build();
    int limit = partition.topic().getConfig().getMaxMessageBytes();
    if (append.getSerializedSize() > limit) {
      return done(
          result.setError(
              Errors.definite(
                  ErrorCode.RECORD_TOO_LARGE,
                  "a batch of "
                      + append.getSerializedSize()
                      + " bytes for "
                      + name
                      + " exceeds the topic's max message bytes of "
                      + limit)));
    }
    if (SeededBugs.isOn(SeededBugs.Bug.ACK_BEFORE_COMMIT)) {
      return ackBeforeCommit(partition, append, timeoutMs, result);
    }
    return coalescer
        .append(partition, append, timeoutMs)
        .thenApply(
            applied ->
                applied.hasError()
                    ? result.setError(applied.getError()).build()
                    : result
                        .setBaseOffset(applied.getBaseOffset())
                        .setAppendTimeMs(applied.getAppendTimeMs())
                        .setDuplicate(applied.getDuplicate())
                        .build());
  }

  /** The source offsets an owner stored in a partition along with its output; leader only. */
  FetchSourceOffsetsResponse fetchSourceOffsets(FetchSourceOffsetsRequest request) {
    PartitionLookup.Resolved resolved = lookup.leaderOf(request.getTopic(), request.getPartition());
    var response = FetchSourceOffsetsResponse.newBuilder();
    if (resolved.error() != null) {
      return response.setError(resolved.error()).build();
    }
    String owner = request.getOwner();
    if (owner.isBlank() || owner.indexOf('\u0000') >= 0) {
      return response
          .setError(
              Errors.definite(
                  ErrorCode.INVALID_REQUEST,
                  "an owner of source offsets is not blank and has no NUL, got '" + owner + "'"))
          .build();
    }
    return response
        .addAllOffsets(
            java.util.Objects.requireNonNull(resolved.partition())
                .stateMachine()
                .sourceOffsets(request.getOwner()))
        .build();
  }

  /** The seeded bug: answer at once with the offset the batch would get if nothing intervened. */
  private CompletableFuture<PartitionProduceResult> ackBeforeCommit(
      LocalReplicas.Partition partition,
      AppendRecords append,
      long timeoutMs,
      PartitionProduceResult.Builder result) {
    long guess = partition.stateMachine().offsets().next();
    coalescer.append(partition, append, timeoutMs);
    return done(result.setBaseOffset(guess).setAppendTimeMs(clock.millis()));
  }

  private static CompletableFuture<PartitionProduceResult> done(PartitionProduceResult.Builder r) {
    return CompletableFuture.completedFuture(r.build());
  }
}
