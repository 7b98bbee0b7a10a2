package dev.quorum.chaos.cluster;

import dev.quorum.node.EmbeddedBroker;
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
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** The disk faults: damage each Raft group's newest log segment in a stopped node's data dir. */
final class LogSegments {
  /** Ratis' segment header ("RaftLog1"); damage goes after it, into the entries. */
  private static final int HEADER_BYTES = 8;

  private LogSegments() {}

  /**
   * Cuts {@code bytes} off the written end of each newest segment (its header stays), as a torn
   * write does; returns the segments it truncated, as "file: old -> new size". The written end, not
   * the file's: Ratis preallocates segments with zeros, and cutting only zeros lost nothing.
   */
  static List<String> truncateNewest(Path dataDir, long bytes) {
    List<String> done = new ArrayList<>();
    for (Path segment : newestPerGroup(dataDir)) {
      try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
        long size = file.length();
        long newSize = Math.min(size, Math.max(HEADER_BYTES, dataEnd(file) - bytes));
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

  /**
   * Flips one to four bits of each newest segment, at positions inside its entries (before the zero
   * padding Ratis preallocates); returns them as "file: bit at byte".
   */
  static List<String> flipBitsInNewest(Path dataDir, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> done = new ArrayList<>();
    for (Path segment : newestPerGroup(dataDir)) {
      try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
        long end = dataEnd(file);
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips && end > HEADER_BYTES; i++) {
          long at = HEADER_BYTES + random.nextLong(end - HEADER_BYTES);
          int bit = random.nextInt(8);
          file.seek(at);
          int b = file.read();
          file.seek(at);
          file.write(b ^ (1 << bit));
          done.add(segment.getFileName() + ": bit " + bit + " at " + at);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return done;
  }

  /** The position after the last non-zero byte. */
  private static long dataEnd(RandomAccessFile file) throws IOException {
    byte[] buffer = new byte[8192];
    long pos = file.length();
    while (pos > 0) {
      int n = (int) Math.min(buffer.length, pos);
      file.seek(pos - n);
      file.readFully(buffer, 0, n);
      for (int i = n - 1; i >= 0; i--) {
        if (buffer[i] != 0) {
          return pos - n + i + 1;
        }
      }
      pos -= n;
    }
    return 0;
  }

  private static List<Path> newestPerGroup(Path dataDir) {
    Map<Path, Path> newest = new HashMap<>();
    try {
      for (Path group : EmbeddedBroker.groupDirs(dataDir)) {
        try (Stream<Path> files = Files.walk(group)) {
          files
              .filter(f -> f.getFileName().toString().startsWith("log_"))
              .filter(f -> f.getParent().getFileName().toString().equals("current"))
              .forEach(
                  f ->
                      newest.merge(
                          f.getParent(),
                          f,
                          (a, b) -> modified(a).compareTo(modified(b)) >= 0 ? a : b));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return newest.values().stream().sorted(Comparator.naturalOrder()).toList();
  }

  private static java.nio.file.attribute.FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
