package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.quorum.protocol.raft.PartitionProduceView;
import dev.quorum.protocol.raft.ProduceRequestView;
import dev.quorum.protocol.v1.PartitionProduce;
import dev.quorum.protocol.v1.ProduceRequest;
import dev.quorum.protocol.v1.Record;
import dev.quorum.protocol.v1.SourceOffset;
import dev.quorum.protocol.v1.SourceOffsets;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node reads produce requests as {@link ProduceRequestView}: a field added to the client's
 * request and not to the view would be dropped by every node without a word.
 */
class ProduceRequestViewTest {
  @Test
  void theViewHasEveryFieldOfTheRequestUnderTheSameNumber() {
    assertSameFields(ProduceRequest.getDescriptor(), ProduceRequestView.getDescriptor());
    assertSameFields(PartitionProduce.getDescriptor(), PartitionProduceView.getDescriptor());
  }

  @Test
  void aRequestReadAsTheViewKeepsEveryFieldAndRecord() throws Exception {
    Record first = Record.newBuilder().setValue(ByteString.copyFromUtf8("a")).build();
    Record second =
        Record.newBuilder().setKey(ByteString.copyFromUtf8("k")).setTimestampMs(7).build();
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setTimeoutMs(1_234)
            .addPartitions(
                PartitionProduce.newBuilder()
                    .setTopic("t")
                    .setPartition(3)
                    .addRecords(first)
                    .addRecords(second)
                    .setProducerId(9)
                    .setProducerEpoch(2)
                    .setBaseSequence(40)
                    .setTransactional(true)
                    .setSourceOffsets(
                        SourceOffsets.newBuilder()
                            .setOwner("o")
                            .addOffsets(SourceOffset.newBuilder().setTopic("in").setNext(5))))
            .build();

    ProduceRequestView view =
        new ProduceRequestMarshaller().parse(new ByteArrayInputStream(request.toByteArray()));

    assertThat(view.getPartitions(0).getRecordsList())
        .isEqualTo(List.of(first.toByteString(), second.toByteString()));
    assertThat(ProduceRequest.parseFrom(view.toByteArray())).isEqualTo(request);
    assertThat(view.getPartitions(0).getUnknownFields().asMap()).isEmpty();
  }

  /** The node's copies of a record are the request's array, the Raft entry and the stored batch. */
  @Test
  void recordsAreSlicesOfTheRequestsBytesNotCopies() throws Exception {
    byte[] value = new byte[100];
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .addPartitions(
                PartitionProduce.newBuilder()
                    .setTopic("t")
                    .addRecords(Record.newBuilder().setValue(ByteString.copyFrom(value))))
            .build();
    byte[] bytes = request.toByteArray();

    ByteString record = ProduceRequestMarshaller.parse(bytes).getPartitions(0).getRecords(0);
    bytes[bytes.length - 1] = 42;

    assertThat(record.byteAt(record.size() - 1)).isEqualTo((byte) 42);
  }

  private static void assertSameFields(Descriptor request, Descriptor view) {
    assertThat(view.getFields()).hasSameSizeAs(request.getFields());
    for (FieldDescriptor field : request.getFields()) {
      FieldDescriptor same = view.findFieldByNumber(field.getNumber());
      assertThat(same).as("%s in the view", field.getFullName()).isNotNull();
      assertThat(same.getName()).isEqualTo(field.getName());
      assertThat(same.isRepeated()).isEqualTo(field.isRepeated());
      if (field.getName().equals("records")) {
        assertThat(same.getType()).isEqualTo(FieldDescriptor.Type.BYTES);
      } else if (field.getType() == FieldDescriptor.Type.MESSAGE
          && field.getMessageType() != ProduceRequest.getDescriptor()) {
        assertThat(same.getType()).isEqualTo(FieldDescriptor.Type.MESSAGE);
        if (field.getMessageType() != PartitionProduce.getDescriptor()) {
          assertThat(same.getMessageType()).isEqualTo(field.getMessageType());
        }
      } else {
        assertThat(same.getType()).isEqualTo(field.getType());
      }
    }
  }
}
