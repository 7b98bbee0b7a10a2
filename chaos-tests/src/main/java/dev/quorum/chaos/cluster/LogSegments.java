package dev.quorum.chaos.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The disk fault: cut the tail off each Raft group's newest log segment in a node's data dir. */
final class LogSegments {
  private LogSegments() {}

  /** Returns the segments it truncated, as "file: old -> new size". */
  static List<String> truncateNewest(Path dataDir, long bytes) {
    Map<Path, Path> newestPerGroup = new HashMap<>();
    try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
      files
          .filter(f -> f.getFileName().toString().startsWith("log_"))
          .filter(f -> f.getParent().getFileName().toString().equals("current"))
          .forEach(
              f ->
                  newestPerGroup.merge(
                      f.getParent(), f, (a, b) -> modified(a).compareTo(modified(b)) >= 0 ? a : b));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> done = new ArrayList<>();
    for (Path segment :
        newestPerGroup.values().stream().sorted(Comparator.naturalOrder()).toList()) {
      try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
        long size = file.length();
        long newSize = Math.max(0, size - bytes);
        if (newSize < size) {
          file.setLength(newSize);
          done.add(segment.getFileName() + ": " + size + " -> " + newSize);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return done;
  }

  private static java.nio.file.attribute.FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
