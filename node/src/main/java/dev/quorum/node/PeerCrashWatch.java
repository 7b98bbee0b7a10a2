package dev.quorum.node;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices at once that another node's process has died, so its partitions need not wait out a Raft
 * election timeout.
 *
 * <p>Holds one idle connection to each other node's Raft port. When a process dies, even by
 * SIGKILL, its kernel closes that connection; if reconnecting is then refused, nothing listens on
 * the port any more, and {@code onCrash} gets the node's id, once until a connection succeeds
 * again. A node that is paused or cut off by the network keeps its connection or makes a connect
 * hang rather than be refused: those are left to Raft's election timeout, as before.
 */
final class PeerCrashWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerCrashWatch.class);

  /** How often a peer that is down is tried again, so a restarted peer is watched soon. */
  private static final long RECONNECT_MS = 500;

  private final ScheduledExecutorService thread;
  private final IntConsumer onCrash;
  private final List<Watched> watched = new ArrayList<>();

  /** Watches every peer but {@code selfId}; callbacks run on {@code thread}. */
  PeerCrashWatch(
      List<Peer> peers, int selfId, ScheduledExecutorService thread, IntConsumer onCrash) {
    this.thread = thread;
    this.onCrash = onCrash;
    for (Peer peer : peers) {
      if (peer.id() != selfId) {
        watched.add(new Watched(peer));
      }
    }
  }

  void start() {
    for (Watched w : watched) {
      thread.execute(() -> w.observe(w.channel.getState(true)));
    }
    thread.scheduleWithFixedDelay(
        () -> watched.forEach(Watched::retry), RECONNECT_MS, RECONNECT_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    watched.forEach(w -> w.channel.shutdownNow());
    thread.shutdownNow();
  }

  /**
   * Runs gRPC's callbacks on the watch thread; those that come after {@link #close} are dropped.
   */
  private void onWatchThread(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nothing is watched any more
    }
  }

  private final class Watched {
    final Peer peer;
    final ManagedChannel channel;

    /** Connected since the last crash report: a lost connection may mean a crash. */
    boolean connected;

    Watched(Peer peer) {
      this.peer = peer;
      this.channel =
          NettyChannelBuilder.forAddress(peer.host(), peer.raftPort())
              .usePlaintext()
              .executor(PeerCrashWatch.this::onWatchThread)
              // Only the connection's state matters; it carries no calls, so it must not idle out.
              .idleTimeout(30, TimeUnit.DAYS)
              .build();
    }

    void observe(ConnectivityState state) {
      if (channel.isShutdown()) {
        return;
      }
      switch (state) {
        case READY -> connected = true;
        case IDLE -> channel.getState(true); // the connection closed: is anyone still listening?
        case TRANSIENT_FAILURE -> {
          if (connected) {
            connected = false;
            LOG.info(
                "node {}: lost the connection to its Raft port and cannot reconnect", peer.id());
            onCrash.accept(peer.id());
          }
        }
        default -> {}
      }
      channel.notifyWhenStateChanged(state, () -> observe(channel.getState(false)));
    }

    /** Skips gRPC's growing reconnect backoff (up to two minutes) for a peer that is down. */
    void retry() {
      if (!channel.isShutdown() && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        channel.resetConnectBackoff();
      }
    }
  }
}
