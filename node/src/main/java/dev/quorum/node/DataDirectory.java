package dev.quorum.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A node's data directory. Its {@code meta.properties} records which cluster and node it belongs
 * to, so a node pointed at another cluster's or another node's data refuses to start instead of
 * mixing logs. A file lock keeps two processes off one directory.
 */
final class DataDirectory implements AutoCloseable {
  private static final String META = "meta.properties";
  private static final String RAFT = "raft";
  private static final String PARKED = "raft-parked";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  static DataDirectory open(Path root, String clusterId, int nodeId) throws IOException {
    Files.createDirectories(root);
    FileChannel channel =
        FileChannel.open(
            root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by this very process
    }
    if (lock == null) {
      channel.close();
      throw new DataDirectoryException(root + " is in use by another node process");
    }
    try {
      checkOrWriteMeta(root, clusterId, nodeId);
    } catch (IOException | RuntimeException e) {
      lock.release();
      channel.close();
      throw e;
    }
    return new DataDirectory(root, channel, lock);
  }

  private static void checkOrWriteMeta(Path root, String clusterId, int nodeId) throws IOException {
    Path meta = root.resolve(META);
    if (Files.exists(meta)) {
      Properties stored = new Properties();
      try (InputStream in = Files.newInputStream(meta)) {
        stored.load(in);
      }
      String storedCluster = stored.getProperty("cluster.id");
      String storedNode = stored.getProperty("node.id");
      if (!clusterId.equals(storedCluster)) {
        throw new DataDirectoryException(
            root + " belongs to cluster " + storedCluster + ", not to cluster " + clusterId);
      }
      if (!String.valueOf(nodeId).equals(storedNode)) {
        throw new DataDirectoryException(
            root + " belongs to node " + storedNode + ", not to node " + nodeId);
      }
      return;
    }
    try (var entries = Files.list(root)) {
      if (entries.anyMatch(p -> !p.getFileName().toString().equals(".lock"))) {
        throw new DataDirectoryException(
            root
                + " is not empty and has no "
                + META
                + ": it is not a data directory of this broker");
      }
    }
    Properties fresh = new Properties();
    fresh.setProperty("cluster.id", clusterId);
    fresh.setProperty("node.id", String.valueOf(nodeId));
    Path tmp = root.resolve(META + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      fresh.store(out, "Which cluster and node this data directory belongs to. Do not edit.");
    }
    Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE);
  }

  Path raftDir() {
    return root.resolve(RAFT);
  }

  /** Where partition replicas wait, at start, for the reconciler ({@link ParkedReplicas}). */
  Path parkedGroupsDir() {
    return root.resolve(PARKED);
  }

  /** Every Raft group directory under data directory {@code root}, started or parked. */
  static List<Path> groupDirs(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String parent : List.of(RAFT, PARKED)) {
      Path dir = root.resolve(parent);
      if (Files.isDirectory(dir)) {
        try (var entries = Files.list(dir)) {
          entries.filter(Files::isDirectory).sorted().forEach(dirs::add);
        }
      }
    }
    return dirs;
  }

  Path removedGroupsDir() {
    return root.resolve("raft-removed");
  }

  @Override
  public void close() throws IOException {
    lock.release();
    lockChannel.close();
  }

  /** The directory cannot be used by this node. */
  static final class DataDirectoryException extends IOException {
    private static final long serialVersionUID = 1L;

    DataDirectoryException(String message) {
      super(message);
    }
  }
}
