package dev.quorum.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.util.FileUtils;
import org.jspecify.annotations.Nullable;

/**
 * Partition replicas found on disk when a node starts, kept out of Ratis' sight until the replica
 * reconciler starts them.
 *
 * <p>Ratis starts every group it finds in its storage directory at once when the server is built.
 * With a thousand replicas on a node, a thousand divisions then recover, start their timers and
 * stand for election together, and the metadata group, which everything else waits for, has to win
 * its election among them: on two cores, a restarted 1,000-partition cluster never came up. So
 * before Ratis is built, every group directory but the metadata group's moves to a directory beside
 * Ratis' own; once the node has caught up on the metadata, the reconciler moves each replica the
 * metadata still assigns to this node back as it starts it, at the pace Ratis adds groups (one at a
 * time), and deletes those of topics deleted meanwhile. A move is one rename within one file
 * system, so a node that dies at any point finds each replica whole in one place or the other, and
 * its next start treats both places alike: no move needs to reach the disk before the next step.
 */
final class ParkedReplicas {
  private final Path raftDir;
  private final Path parkedDir;

  private ParkedReplicas(Path raftDir, Path parkedDir) {
    this.raftDir = raftDir;
    this.parkedDir = parkedDir;
  }

  /**
   * Moves every group directory under {@code raftDir} except {@code keep}'s (if not null) to {@code
   * parkedDir}.
   */
  static ParkedReplicas parkAllBut(@Nullable RaftGroupId keep, Path raftDir, Path parkedDir)
      throws IOException {
    ParkedReplicas parked = new ParkedReplicas(raftDir, parkedDir);
    Files.createDirectories(parkedDir);
    for (RaftGroupId id : groupsIn(raftDir)) {
      if (!id.equals(keep)) {
        move(parked.dirIn(raftDir, id), parked.dirIn(parkedDir, id));
      }
    }
    return parked;
  }

  /**
   * Moves {@code id}'s replica back where Ratis looks for it, if it is parked; a replica that is
   * not parked is new (or already back), and Ratis creates its directory.
   */
  void unpark(RaftGroupId id) throws IOException {
    Path parked = dirIn(parkedDir, id);
    if (Files.isDirectory(parked)) {
      move(parked, dirIn(raftDir, id));
    }
  }

  /** Where a parked replica's directory is. */
  Path dir(RaftGroupId id) {
    return dirIn(parkedDir, id);
  }

  /** The replicas still parked. */
  Set<RaftGroupId> ids() throws IOException {
    return groupsIn(parkedDir);
  }

  /** Deletes a parked replica with its data (its topic is gone). */
  void delete(RaftGroupId id) throws IOException {
    FileUtils.deleteFully(dirIn(parkedDir, id));
  }

  private Path dirIn(Path root, RaftGroupId id) {
    return root.resolve(id.getUuid().toString());
  }

  private static void move(Path from, Path to) throws IOException {
    if (Files.exists(to)) {
      // Never merge or overwrite one copy of a replica with another: an operator must decide.
      throw new IOException("cannot move " + from + " to " + to + ": both exist");
    }
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Set<RaftGroupId> groupsIn(Path root) throws IOException {
    Set<RaftGroupId> ids = new HashSet<>();
    if (!Files.isDirectory(root)) {
      return ids;
    }
    try (Stream<Path> entries = Files.list(root)) {
      entries
          .filter(Files::isDirectory)
          .map(p -> groupIdOf(p.getFileName().toString()))
          .flatMap(Optional::stream)
          .forEach(ids::add);
    }
    return ids;
  }

  /** Ratis names a group's directory after its UUID; anything else there is not a group. */
  private static Optional<RaftGroupId> groupIdOf(String name) {
    try {
      UUID uuid = UUID.fromString(name);
      // fromString also takes unpadded forms, which are not the name Ratis would look for.
      return uuid.toString().equals(name)
          ? Optional.of(RaftGroupId.valueOf(uuid))
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
