package dev.quorum.statemachine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.storage.RaftStorage;
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
 */
public final class TornLogTail {
  private static final Logger LOG = LoggerFactory.getLogger(TornLogTail.class);
  private static final Pattern OPEN_SEGMENT = Pattern.compile("log_inprogress_(\\d+)");

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
