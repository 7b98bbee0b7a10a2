package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParkedReplicasTest {
  private static final RaftGroupId METADATA = RaftGroupId.valueOf(new UUID(1, 0));
  private static final RaftGroupId A = RaftGroupId.valueOf(new UUID(1, 1));
  private static final RaftGroupId B = RaftGroupId.valueOf(new UUID(1, 2));

  @TempDir Path dir;

  @Test
  void everyGroupButTheKeptOneWaitsAsideWithItsFilesAndComesBackWhole() throws IOException {
    Path raft = dir.resolve("raft");
    Path parkedDir = dir.resolve("raft-parked");
    writeSegment(raft, METADATA, "metadata");
    writeSegment(raft, A, "a");
    writeSegment(raft, B, "b");
    Files.createDirectories(raft.resolve("not-a-group"));

    ParkedReplicas parked = ParkedReplicas.parkAllBut(METADATA, raft, parkedDir);

    assertThat(parked.ids()).containsExactlyInAnyOrder(A, B);
    assertThat(segment(raft, METADATA)).isEqualTo("metadata");
    assertThat(raft.resolve("not-a-group")).isDirectory();
    assertThat(raft.resolve(A.getUuid().toString())).doesNotExist();

    parked.unpark(A);
    assertThat(segment(raft, A)).isEqualTo("a");
    assertThat(parked.ids()).containsExactly(B);
    parked.unpark(A); // not parked any more: nothing to do
    assertThat(segment(raft, A)).isEqualTo("a");

    parked.delete(B);
    assertThat(parked.ids()).isEmpty();
    assertThat(parkedDir.resolve(B.getUuid().toString())).doesNotExist();
  }

  @Test
  void aNodeThatDiedWhileParkingParksTheRestOnItsNextStart() throws IOException {
    Path raft = dir.resolve("raft");
    Path parkedDir = dir.resolve("raft-parked");
    writeSegment(raft, A, "a");
    writeSegment(parkedDir, B, "b");

    ParkedReplicas parked = ParkedReplicas.parkAllBut(METADATA, raft, parkedDir);

    assertThat(parked.ids()).containsExactlyInAnyOrder(A, B);
  }

  @Test
  void twoCopiesOfOneReplicaAreNeitherMergedNorOverwritten() throws IOException {
    Path raft = dir.resolve("raft");
    Path parkedDir = dir.resolve("raft-parked");
    writeSegment(parkedDir, A, "parked copy");
    ParkedReplicas parked = ParkedReplicas.parkAllBut(METADATA, raft, parkedDir);
    writeSegment(raft, A, "started copy");

    assertThatThrownBy(() -> parked.unpark(A))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("both exist");
    assertThat(segment(raft, A)).isEqualTo("started copy");
    assertThat(segment(parkedDir, A)).isEqualTo("parked copy");

    assertThatThrownBy(() -> ParkedReplicas.parkAllBut(METADATA, raft, parkedDir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("both exist");
    assertThat(segment(raft, A)).isEqualTo("started copy");
  }

  private static void writeSegment(Path root, RaftGroupId id, String content) throws IOException {
    Path current =
        Files.createDirectories(root.resolve(id.getUuid().toString()).resolve("current"));
    Files.writeString(current.resolve("log_0-9"), content, StandardCharsets.UTF_8);
  }

  private static String segment(Path root, RaftGroupId id) throws IOException {
    return Files.readString(
        root.resolve(id.getUuid().toString()).resolve("current").resolve("log_0-9"),
        StandardCharsets.UTF_8);
  }
}
