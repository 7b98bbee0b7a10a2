package dev.quorum.node;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;

/**
 * The threads that run Ratis' server-to-server calls (heartbeats, appends, votes) on this node.
 *
 * <p>Left alone, Ratis' gRPC server runs them on gRPC's default executor, whose threads die after
 * 60 s idle. With hundreds of partition groups, each heartbeat burst then started new threads: a
 * node with 300 partitions created about 90 threads a second. Under load a thread start is slow (it
 * happened while holding a division's lock during a vote), which delayed heartbeats and votes until
 * elections failed over and over. This pool keeps a core of threads for good and lets extra ones
 * live for minutes. It stays unbounded, because a call may block on a division's lock, and a
 * bounded pool full of blocked calls would stall every other group.
 */
final class RaftRpcExecutor {
  private static final int CORE_THREADS = 16;

  private RaftRpcExecutor() {}

  /** Makes the Ratis server built with {@code parameters} use a new pool, which it returns. */
  static ExecutorService install(Parameters parameters, int nodeId) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            CORE_THREADS,
            Integer.MAX_VALUE,
            5,
            TimeUnit.MINUTES,
            new SynchronousQueue<>(),
            new NamedThreads(nodeId, "raft-rpc"));
    GrpcConfigKeys.Server.setServicesCustomizer(
        parameters, (builder, types) -> builder.executor(pool));
    return pool;
  }
}
