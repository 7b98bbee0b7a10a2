package dev.quorum.statemachine;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs a Raft log whose open segment lost its tail below the state machine's snapshot.
 *
 * <p>Ratis 3.3.0 loads such a log and then cannot grow it: it purges only closed segments that the
 * snapshot covers, keeps the open segment (say entries 11..50), and asks the leader for the entry
 * after the snapshot (119). That entry goes into the open segment, or into a new one rolled at 51,
 * and the append fails with "gap between ..." every time, so the replica never catches up
 * (RATIS-2507 is the same failure). Everything such a segment holds is in the snapshot, so it is
 * deleted before Ratis loads the log; the first entry from the leader then opens a new segment
 * right after the snapshot.
 *
 * <p>Also tells whether a log lost its tail at all ({@link #hasDamagedTail}), which decides whether
 * a node may start the replica at once.
 */
public final class TornLogTail {
  private static final Logger LOG = LoggerFactory.getLogger(TornLogTail.class);
  private static final Pattern OPEN_SEGMENT = Pattern.compile("log_inprogress_(\\d+)");

  /** Ratis' segment header, "RaftLog1". */
  private static final int SEGMENT_HEADER_BYTES = 8;

  private TornLogTail() {}

  /**
   * Deletes the open segment when it starts at or below {@code snapshotIndex} and its last whole
   * entry is below it. Must run before Ratis loads the log (in {@code StateMachine.initialize}).
   */
  static void dropOpenSegmentBehindSnapshot(
      RaftStorage storage, long snapshotIndex, SizeInBytes maxEntrySize) throws IOException {
    if (snapshotIndex < 0) {
      return;
    }
    List<LogSegmentPath> segments = LogSegmentPath.getLogSegmentPaths(storage);
    if (segments.isEmpty()) {
      return;
    }
    LogSegmentPath newest = segments.get(segments.size() - 1);
    Matcher open = OPEN_SEGMENT.matcher(newest.getPath().getFileName().toString());
    if (!open.matches() || Long.parseLong(open.group(1)) > snapshotIndex) {
      return;
    }
    long last = lastIndex(newest, maxEntrySize, storage.getLogCorruptionPolicy());
    if (last < snapshotIndex) {
      Files.delete(newest.getPath());
      LOG.warn(
          "{}: open log segment ends at {}, below the snapshot at {} (its tail was lost):"
              + " deleted it, the snapshot holds all of it",
          newest.getPath(),
          last,
          snapshotIndex);
    }
  }

  /**
   * The index of the last entry of a segment that is whole and passes its checksum, with every
   * entry before it, or -1 when there is none.
   */
  public static long lastIndex(Path segmentFile, SizeInBytes maxEntrySize) throws IOException {
    LogSegmentPath segment = LogSegmentPath.matchLogSegment(segmentFile);
    if (segment == null) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    return lastIndex(segment, maxEntrySize, CorruptionPolicy.WARN_AND_RETURN);
  }

  /**
   * Whether the newest log segment in a replica's directory holds data past its last intact entry:
   * a torn write, or an entry that fails its checksum. Ratis ends such a log at the last intact
   * entry when it loads it, so the replica may have lost entries it had acknowledged. Preallocated
   * zeros after the entries are not damage. A segment that cannot be read counts as damaged.
   */
  public static boolean hasDamagedTail(Path groupDir, SizeInBytes maxEntrySize) {
    Path current = groupDir.resolve("current");
    if (!Files.isDirectory(current)) {
      return false;
    }
    try {
      LogSegmentPath newest = null;
      try (Stream<Path> files = Files.list(current)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          LogSegmentPath segment = LogSegmentPath.matchLogSegment(file);
          if (segment != null
              && (newest == null || segment.getStartEnd().compareTo(newest.getStartEnd()) > 0)) {
            newest = segment;
          }
        }
      }
      if (newest == null) {
        return false;
      }
      long[] intactEnd = {SEGMENT_HEADER_BYTES};
      LogSegment.readSegmentFile(
          newest.getPath().toFile(),
          newest.getStartEnd(),
          maxEntrySize,
          CorruptionPolicy.WARN_AND_RETURN,
          null,
          e -> intactEnd[0] += sizeOnDisk(e));
      return hasDataFrom(newest.getPath(), intactEnd[0]);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: cannot read the newest log segment; counting it as damaged", current, e);
      return true;
    }
  }

  /** An entry's bytes in a segment: its length as a varint, the entry, and a 4-byte checksum. */
  private static long sizeOnDisk(LogEntryProto entry) {
    int size = entry.getSerializedSize();
    return CodedOutputStream.computeUInt32SizeNoTag(size) + size + 4L;
  }

  private static boolean hasDataFrom(Path file, long position) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
      for (long at = position; channel.read(buffer.clear(), at) > 0; at += buffer.position()) {
        for (int i = 0; i < buffer.position(); i++) {
          if (buffer.get(i) != 0) {
            return true;
          }
        }
      }
      return false;
    }
  }

  private static long lastIndex(
      LogSegmentPath segment, SizeInBytes maxEntrySize, CorruptionPolicy policy)
      throws IOException {
    long[] last = {RaftLog.INVALID_LOG_INDEX};
    File file = segment.getPath().toFile();
    LogSegment.readSegmentFile(
        file, segment.getStartEnd(), maxEntrySize, policy, null, e -> last[0] = e.getIndex());
    return last[0];
  }
}
