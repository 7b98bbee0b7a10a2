package dev.quorum.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSegmentsTest {
  @TempDir Path data;

  /** A segment as Ratis writes it: header, entries, then preallocated zeros. */
  private Path segment(String group, String name, int entryBytes, long modifiedMillis)
      throws Exception {
    Path dir = Files.createDirectories(data.resolve("raft").resolve(group).resolve("current"));
    byte[] bytes = new byte[8 + entryBytes + 4096];
    System.arraycopy(
        "RaftLog1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, 0, 8);
    Arrays.fill(bytes, 8, 8 + entryBytes, (byte) 0x5a);
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
    return file;
  }

  @Test
  void bitFlipsHitOnlyTheEntriesOfEachGroupsNewestSegmentAndReplayFromTheSeed() throws Exception {
    Path older = segment("g1", "log_0-99", 1000, 1_000);
    Path newest = segment("g1", "log_inprogress_100", 1000, 2_000);
    Path other = segment("g2", "log_inprogress_0", 500, 1_000);
    byte[] olderBefore = Files.readAllBytes(older);
    byte[] newestBefore = Files.readAllBytes(newest);
    byte[] otherBefore = Files.readAllBytes(other);

    List<String> flips = LogSegments.flipBitsInNewest(data, 42);

    assertThat(Files.readAllBytes(older)).isEqualTo(olderBefore);
    for (Path[] p : new Path[][] {{newest}, {other}}) {
      byte[] before = p[0].equals(newest) ? newestBefore : otherBefore;
      byte[] after = Files.readAllBytes(p[0]);
      int changedBits = 0;
      for (int i = 0; i < after.length; i++) {
        int diff = (before[i] ^ after[i]) & 0xff;
        if (diff != 0) {
          assertThat(i).as("inside the entries").isBetween(8, 8 + 999);
        }
        changedBits += Integer.bitCount(diff);
      }
      assertThat(changedBits).isBetween(1, 4);
    }
    assertThat(flips).isNotEmpty();

    // Same seed on the same files: the same positions (flipping them back).
    assertThat(LogSegments.flipBitsInNewest(data, 42)).isEqualTo(flips);
    assertThat(Files.readAllBytes(newest)).isEqualTo(newestBefore);
  }

  @Test
  void truncationCutsTheWrittenTailOfEachGroupsNewestSegment() throws Exception {
    Path older = segment("g1", "log_0-99", 1000, 1_000);
    Path newest = segment("g1", "log_inprogress_100", 1000, 2_000);
    Path small = segment("g2", "log_inprogress_0", 50, 2_000);
    long size = Files.size(older);

    LogSegments.truncateNewest(data, 100);

    // the preallocated zeros are not what a torn write loses: the entries' last 100 bytes are
    assertThat(Files.size(newest)).isEqualTo(8 + 1000 - 100);
    assertThat(Files.size(older)).isEqualTo(size);
    assertThat(Files.size(small)).as("the header stays").isEqualTo(8);
  }
}
