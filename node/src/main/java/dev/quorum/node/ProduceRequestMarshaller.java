package dev.quorum.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.quorum.protocol.raft.ProduceRequestView;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a produce request into an array of its own and parses it with aliasing, so that its records
 * are slices of that array until the Raft entry is written. gRPC's own marshaller reads every
 * request into one reused buffer and so copies each record out of it.
 */
final class ProduceRequestMarshaller implements MethodDescriptor.Marshaller<ProduceRequestView> {
  private final MethodDescriptor.Marshaller<ProduceRequestView> encoder =
      ProtoUtils.marshaller(ProduceRequestView.getDefaultInstance());

  @Override
  public InputStream stream(ProduceRequestView value) {
    return encoder.stream(value);
  }

  @Override
  public ProduceRequestView parse(InputStream stream) {
    try {
      return parse(readAll(stream));
    } catch (InvalidProtocolBufferException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription("a produce request that does not parse: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("reading a produce request")
          .withCause(e)
          .asRuntimeException();
    }
  }

  /**
   * Parses {@code bytes}, which the view then owns: its records are slices of it. Protobuf aliases
   * only a buffer it is told is immutable, which a {@link ByteString}'s own input is; over a plain
   * array it copies every record, aliasing enabled or not.
   */
  static ProduceRequestView parse(byte[] bytes) throws IOException {
    CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    in.enableAliasing(true);
    in.setSizeLimit(Integer.MAX_VALUE);
    ProduceRequestView request = ProduceRequestView.parseFrom(in);
    in.checkLastTagWas(0);
    return request;
  }

  private static byte[] readAll(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      return stream.readAllBytes();
    }
    byte[] bytes = new byte[stream.available()];
    int read = stream.readNBytes(bytes, 0, bytes.length);
    if (read != bytes.length || stream.read() != -1) {
      throw new IOException("the request's length changed while it was read");
    }
    return bytes;
  }
}
