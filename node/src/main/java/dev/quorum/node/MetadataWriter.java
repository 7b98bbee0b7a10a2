package dev.quorum.node;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.quorum.protocol.raft.MetadataCommand;
import dev.quorum.protocol.raft.MetadataCommandResult;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Submits commands to the metadata group from any node: the Ratis client finds the group's leader
 * and follows leader changes. Calls block, so they run on their own small executor.
 */
final class MetadataWriter implements AutoCloseable {
  private final RaftClient client;
  private final ExecutorService executor;

  MetadataWriter(RaftGroup metadataGroup, ExecutorService executor) {
    RaftProperties properties = new RaftProperties();
    this.client =
        RaftClient.newBuilder()
            .setRaftGroup(metadataGroup)
            .setProperties(properties)
            // Bounded: an unavailable metadata group must surface as an error, not a hot loop.
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    40, TimeDuration.valueOf(250, TimeUnit.MILLISECONDS)))
            .build();
    this.executor = executor;
  }

  CompletableFuture<MetadataCommandResult> submit(MetadataCommand command) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            RaftClientReply reply =
                client
                    .io()
                    .send(Message.valueOf(UnsafeByteOperations.unsafeWrap(command.toByteArray())));
            if (!reply.isSuccess()) {
              throw new MetadataUnavailableException(
                  "metadata group did not accept the change", reply.getException());
            }
            return MetadataCommandResult.parseFrom(
                reply.getMessage().getContent().asReadOnlyByteBuffer());
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable metadata reply", e);
          } catch (IOException e) {
            throw new MetadataUnavailableException(
                "metadata group unavailable: " + e.getMessage(), e);
          }
        },
        executor);
  }

  @Override
  public void close() throws IOException {
    client.close();
    executor.shutdownNow();
  }

  /** The metadata group could not be reached or did not commit; the change may or may not apply. */
  static final class MetadataUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MetadataUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
