package dev.quorum.statemachine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.FileUtils;
import org.jspecify.annotations.Nullable;

/**
 * Snapshots are RocksDB checkpoints kept as directories {@code sm/snapshot.<term>_<index>/} in the
 * group's Ratis storage. Ratis streams their files to lagging followers and, on a follower,
 * replaces the whole {@code sm/} directory with what it received; the live database therefore lives
 * outside {@code sm/}.
 */
final class CheckpointSnapshots implements StateMachineStorage {
  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final String MD5_SUFFIX = ".md5";

  /** Older checkpoints are kept a little while, so a transfer in progress can finish. */
  private static final int RETAINED = 2;

  private @Nullable File smDir;
  private volatile @Nullable FileListSnapshotInfo latest;

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    this.smDir = raftStorage.getStorageDir().getStateMachineDir();
    Files.createDirectories(smDir.toPath());
    reload();
  }

  /** Re-reads {@code sm/}; called at start and after Ratis installed a snapshot from the leader. */
  void reload() throws IOException {
    latest = newest().map(this::describe).orElse(null);
  }

  @Override
  public @Nullable FileListSnapshotInfo getLatestSnapshot() {
    return latest;
  }

  /** The directory a new checkpoint for {@code termIndex} must be written to. */
  Path pathFor(TermIndex termIndex) {
    return smDir().resolve("snapshot." + termIndex.getTerm() + "_" + termIndex.getIndex());
  }

  /** Publishes a checkpoint written to {@link #pathFor} and drops the oldest ones. */
  void publish(TermIndex termIndex) throws IOException {
    latest = describe(new Snapshot(pathFor(termIndex), termIndex));
    List<Snapshot> all = list();
    for (int i = 0; i < all.size() - RETAINED; i++) {
      FileUtils.deleteFully(all.get(i).dir());
    }
  }

  Optional<Snapshot> newest() throws IOException {
    List<Snapshot> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The data files of a checkpoint, without the digests Ratis adds when it installs one. */
  static List<Path> dataFiles(Path checkpoint) throws IOException {
    try (Stream<Path> files = Files.walk(checkpoint)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(MD5_SUFFIX))
          .sorted()
          .toList();
    }
  }

  private FileListSnapshotInfo describe(Snapshot snapshot) {
    try {
      List<FileInfo> files = new ArrayList<>();
      for (Path file : dataFiles(snapshot.dir())) {
        files.add(new FileInfo(file.toAbsolutePath(), null));
      }
      return new FileListSnapshotInfo(files, snapshot.termIndex());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<Snapshot> list() throws IOException {
    List<Snapshot> snapshots = new ArrayList<>();
    try (Stream<Path> entries = Files.list(smDir())) {
      entries.forEach(
          p -> {
            Matcher m = NAME.matcher(p.getFileName().toString());
            if (m.matches() && Files.isDirectory(p)) {
              long term = Long.parseLong(m.group(1));
              long index = Long.parseLong(m.group(2));
              snapshots.add(new Snapshot(p, TermIndex.valueOf(term, index)));
            }
          });
    }
    snapshots.sort(Comparator.comparingLong(s -> s.termIndex().getIndex()));
    return snapshots;
  }

  private Path smDir() {
    if (smDir == null) {
      throw new IllegalStateException("snapshot storage used before init");
    }
    return smDir.toPath();
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
    // publish() already keeps only the newest checkpoints.
  }

  record Snapshot(Path dir, TermIndex termIndex) {}
}
