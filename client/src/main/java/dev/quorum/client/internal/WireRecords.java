package dev.quorum.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.Header;
import dev.quorum.client.InternalBrokerException;
import dev.quorum.client.ProducerRecord;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.RecordBatch;
import java.util.ArrayList;
import java.util.List;

/** Converts records between the client API and the wire. */
final class WireRecords {
  private WireRecords() {}

  static Record toWire(ProducerRecord r) {
    Record.Builder b =
        Record.newBuilder().setTimestampMs(r.timestamp()).setValue(ByteString.copyFrom(r.value()));
    if (r.key() != null) {
      b.setKey(ByteString.copyFrom(r.key()));
    }
    for (Header h : r.headers()) {
      b.addHeaders(
          dev.quorum.protocol.v1.Header.newBuilder()
              .setKey(h.key())
              .setValue(ByteString.copyFrom(h.value())));
    }
    return b.build();
  }

  /** Parses stored batches, keeping only records at or after {@code fromOffset}. */
  static List<ConsumerRecord> fromBatches(
      String topic, int partition, List<ByteString> batches, long fromOffset) {
    List<ConsumerRecord> out = new ArrayList<>();
    for (ByteString bytes : batches) {
      RecordBatch batch;
      try {
        // Keys and values as slices of the batch: each is copied once, into the record below.
        CodedInputStream in = bytes.newCodedInput();
        in.enableAliasing(true);
        batch = RecordBatch.parser().parseFrom(in);
      } catch (InvalidProtocolBufferException e) {
        throw new InternalBrokerException(
            "corrupt record batch from " + topic + "-" + partition, false, e);
      }
      for (Record r : batch.getRecordsList()) {
        long offset = batch.getBaseOffset() + r.getOffsetDelta();
        if (offset < fromOffset) {
          continue;
        }
        List<Header> headers = new ArrayList<>(r.getHeadersCount());
        for (dev.quorum.protocol.v1.Header h : r.getHeadersList()) {
          headers.add(new Header(h.getKey(), h.getValue().toByteArray()));
        }
        long timestamp = r.getTimestampMs() != 0 ? r.getTimestampMs() : batch.getAppendTimeMs();
        out.add(
            new ConsumerRecord(
                topic,
                partition,
                offset,
                timestamp,
                r.hasKey() ? r.getKey().toByteArray() : null,
                r.getValue().toByteArray(),
                headers));
      }
    }
    return out;
  }
}
