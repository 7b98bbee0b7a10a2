package dev.quorum.bench.jmh;

import dev.quorum.statemachine.PartitionStateMachine;
import dev.quorum.statemachine.storage.StorageEnvironment;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;

/**
 * A real PartitionStateMachine on RocksDB in a temp dir, fed log entries directly instead of
 * through a Raft server: measures apply and read without replication and fsync.
 */
final class DetachedPartition implements AutoCloseable {
  private final Path dir;
  private final StorageEnvironment env = new StorageEnvironment(64L << 20, 128L << 20);
  private final RaftStorage storage;
  final PartitionStateMachine log = new PartitionStateMachine(env);
  private long index;

  DetachedPartition() throws IOException {
    dir = Files.createTempDirectory("quorum-jmh");
    storage =
        RaftStorage.newBuilder()
            .setDirectory(dir.toFile())
            .setOption(RaftStorage.StartupOption.FORMAT)
            .setStorageFreeSpaceMin(SizeInBytes.ONE_MB)
            .build();
    storage.initialize();
    log.initialize(serverNamed("jmh"), RaftGroupId.valueOf(UUID.randomUUID()), storage);
  }

  /**
   * The state machine only asks its server for its id (for names and logs); there is no server
   * here, so answer just that.
   */
  private static RaftServer serverNamed(String id) {
    RaftPeerId peerId = RaftPeerId.valueOf(id);
    return (RaftServer)
        Proxy.newProxyInstance(
            RaftServer.class.getClassLoader(),
            new Class<?>[] {RaftServer.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getId")) {
                return peerId;
              }
              throw new UnsupportedOperationException(
                  "a detached partition has no server: " + method.getName());
            });
  }

  /** Applies one entry as the next log index, as Ratis' apply thread would. */
  void apply(byte[] command) {
    LogEntryProto entry =
        LogEntryProto.newBuilder()
            .setTerm(1)
            .setIndex(++index)
            .setStateMachineLogEntry(
                StateMachineLogEntryProto.newBuilder()
                    .setLogData(UnsafeByteOperations.unsafeWrap(command)))
            .build();
    log.applyTransaction(
            TransactionContext.newBuilder()
                .setStateMachine(log)
                .setServerRole(RaftPeerRole.FOLLOWER)
                .setLogEntry(entry)
                .build())
        .join();
  }

  @Override
  public void close() throws IOException {
    log.close();
    storage.close();
    env.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
