package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which parked replicas {@link HeldReplicas} lets start when no other replica answers: an intact
 * log at once, a damaged one only after its rank's share of the hold.
 */
class HeldReplicasTest {
  private static final int SELF = 2;

  @TempDir Path root;
  private final AtomicLong now = new AtomicLong();
  private final PeerChannels channels = new PeerChannels();

  @AfterEach
  void closeChannels() {
    channels.close();
  }

  @Test
  void anIntactReplicaStartsAtOnceAndADamagedOneAfterItsRanksHold() throws Exception {
    RaftGroup intact = group(segment("RaftLog1".getBytes(StandardCharsets.US_ASCII), 4096));
    byte[] torn = "RaftLog1 a torn entry".getBytes(StandardCharsets.US_ASCII);
    RaftGroup damaged = group(segment(torn, 4096));
    HeldReplicas held = new HeldReplicas(SELF, peersNobodyAnswers(), channels, parked(), now::get);

    assertThat(held.mayStart(List.of(intact, damaged))).containsExactly(intact);
    assertThat(held.held()).containsExactly(damaged.getGroupId());

    // Node 2 is the second of nodes 1–3: it waits two steps.
    now.addAndGet(HeldReplicas.HOLD_STEP.multipliedBy(2).toNanos() - 1);
    assertThat(held.mayStart(List.of(damaged))).isEmpty();
    now.incrementAndGet();
    assertThat(held.mayStart(List.of(damaged))).containsExactly(damaged);
    assertThat(held.held()).isEmpty();
  }

  @Test
  void aReplicaNoLongerAskedAboutIsNoLongerHeld() throws Exception {
    RaftGroup damaged = group(segment("RaftLog1 torn".getBytes(StandardCharsets.US_ASCII), 0));
    HeldReplicas held = new HeldReplicas(SELF, peersNobodyAnswers(), channels, parked(), now::get);

    assertThat(held.mayStart(List.of(damaged))).isEmpty();
    assertThat(held.mayStart(List.of())).isEmpty();
    assertThat(held.held()).isEmpty();
  }

  private ParkedReplicas parked() throws Exception {
    return ParkedReplicas.parkAllBut(
        RaftGroupId.randomId(), Files.createDirectories(root.resolve("raft")), parkedDir());
  }

  private Path parkedDir() {
    return root.resolve("raft-parked");
  }

  /** A group directory in the parked directory whose newest segment holds {@code bytes}. */
  private Path segment(byte[] bytes, int zeroPadding) throws Exception {
    Path current = parkedDir().resolve(UUID.randomUUID().toString()).resolve("current");
    Files.createDirectories(current);
    byte[] file = new byte[bytes.length + zeroPadding];
    System.arraycopy(bytes, 0, file, 0, bytes.length);
    Files.write(current.resolve("log_inprogress_0"), file);
    return current.getParent();
  }

  private static RaftGroup group(Path groupDir) {
    List<RaftPeer> peers = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      peers.add(RaftPeer.newBuilder().setId(RaftGroups.peerId(id)).build());
    }
    return RaftGroup.valueOf(
        RaftGroupId.valueOf(UUID.fromString(groupDir.getFileName().toString())), peers);
  }

  /** Nodes 1 and 3 on loopback ports where nothing listens. */
  private static List<Peer> peersNobodyAnswers() throws Exception {
    return List.of(
        new Peer(1, "127.0.0.1", LoopbackPorts.pick(), LoopbackPorts.pick()),
        new Peer(3, "127.0.0.1", LoopbackPorts.pick(), LoopbackPorts.pick()));
  }
}
