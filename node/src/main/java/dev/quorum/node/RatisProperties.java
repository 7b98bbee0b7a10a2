package dev.quorum.node;

import dev.quorum.statemachine.TopicRules;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where node settings become Ratis settings. */
final class RatisProperties {
  /**
   * The largest Raft entry: one produce batch of at most the topic ceiling ({@link
   * TopicRules#MAX_MESSAGE_BYTES_LIMIT}) plus its envelope (the command and Ratis' log entry
   * header, well under 16 KiB). Ratis allocates a direct write buffer of this size for every
   * partition replica (about 1,000 replicas x 528 KiB = 516 MiB per node at 1,000 partitions), so
   * it is kept small. Coalesced entries (several produce batches in one entry) stay under it too.
   */
  static final SizeInBytes MAX_ENTRY =
      SizeInBytes.valueOf(TopicRules.MAX_MESSAGE_BYTES_LIMIT + (16 << 10));

  /** The most batch bytes coalesced into one entry: leaves the envelope's room under MAX_ENTRY. */
  static final int MAX_COALESCED_BYTES = TopicRules.MAX_MESSAGE_BYTES_LIMIT;

  /**
   * The least bytes that go as a partition's next Raft entry while another is still in flight (see
   * ProduceCoalescer): half a default 64 KiB producer batch, so full batches pipeline and single
   * small records coalesce.
   */
  static final int MIN_PIPELINED_ENTRY_BYTES = 32 << 10;

  /**
   * Log bytes preallocated ahead: enough for small entries to skip a file-size update (and the file
   * system's journal commit) in most fsyncs, small enough that little is written twice.
   */
  static final long PREALLOCATED_BYTES = 64 << 10;

  private static final Logger LOG = LoggerFactory.getLogger(RatisProperties.class);

  /**
   * Keys that let Ratis count entries as flushed before they are. Unsafe flush says so. Async flush
   * in Ratis 3.3.0 forces the file on another thread but, when that finishes, marks as flushed
   * everything written by then, including entries written while it ran, and it does so even when
   * the force failed ({@code SegmentedRaftLogWorker.asyncFlushOutStream}).
   */
  private static final java.util.Set<String> UNSAFE_KEYS =
      java.util.Set.of(
          RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY,
          RaftServerConfigKeys.Log.ASYNC_FLUSH_ENABLED_KEY);

  private RatisProperties() {}

  static RaftProperties from(NodeConfig config, DataDirectory dataDir) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(dataDir.raftDir().toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(p, dataDir.removedGroupsDir().toFile());
    GrpcConfigKeys.Server.setHost(p, config.host());
    GrpcConfigKeys.Server.setPort(p, config.raftPort());
    // Ratis' gRPC transport, with a workaround for a follower that lost acknowledged entries.
    RaftConfigKeys.Rpc.setType(p, new LostEntriesRpcType());

    // Read requests only confirm leadership (see FetchHandler); make them go through a read index.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);

    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(config.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(config.electionTimeoutMax().toMillis()));
    // Many groups start at once on a restart: spread their first elections out.
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
        p, millis(config.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
        p, millis(config.electionTimeoutMax().toMillis() * 2));

    // Per-replica buffers multiply by the number of partitions a node hosts: keep them small.
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, MAX_ENTRY);
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(MAX_ENTRY.getSize() + 8));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.logSegmentBytes()));
    // Ratis preallocates by writing zeros, which the next fsync writes to disk unless data has
    // overwritten them by then: with 1 MiB ahead, every log byte went to disk twice (once as
    // zeros). An entry larger than this is preallocated exactly, just before it is written.
    RaftServerConfigKeys.Log.setPreallocatedSize(
        p, SizeInBytes.valueOf(Math.min(config.logSegmentBytes(), PREALLOCATED_BYTES)));
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 2);
    // Ratis would follow every commit with a log entry holding the commit index, for a restarting
    // replica to apply at once what it knew was committed: a second fsync on every replica for each
    // lone produce, which at 100 records/s raised the end-to-end p99 by a third (README). Without
    // it, a restarted replica applies once the leader tells it the commit index (a starting node
    // waits for that on metadata: MetadataCatchUp), and followers learn of a commit with the next
    // append or heartbeat, or within 20 ms for metadata (BrokerNode).
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Log.setQueueElementLimit(p, 1024);
    RaftServerConfigKeys.Log.setQueueByteLimit(p, SizeInBytes.valueOf("32MB"));
    // A log entry that fails its checksum ends the log there, as a torn write does; the replica
    // then gets the rest from the leader (Kafka's log recovery does the same). Damage before the
    // newest segment leaves a gap between segments, and Ratis refuses to start the group.
    RaftServerConfigKeys.Log.setCorruptionPolicy(
        p, RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN);

    // Snapshots bound the log; the log is purged up to the snapshot even while a replica is down,
    // which then catches up from the snapshot instead of pinning the log forever.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(Integer.MAX_VALUE, config.purgeGap()));
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    // ...but keep the newest entries, so a follower that is only slightly behind catches up from
    // the log instead of downloading a whole snapshot.
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, config.purgePreserve());

    // For experiments and benchmarks: a JVM system property named like a Ratis key (for example
    // -Draft.server.log.force.sync.num=16) overrides the setting above, loudly; none may turn
    // off the fsync before an acknowledgement that every guarantee rests on.
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("raft.")) {
        if (UNSAFE_KEYS.contains(key)) {
          throw new IllegalArgumentException(
              "-D" + key + " is refused: it would acknowledge writes before they are on disk");
        }
        LOG.warn(
            "Ratis setting {} overridden by a system property: {}", key, System.getProperty(key));
        p.set(key, System.getProperty(key));
      }
    }
    return p;
  }

  private static TimeDuration millis(long value) {
    return TimeDuration.valueOf(value, TimeUnit.MILLISECONDS);
  }
}
