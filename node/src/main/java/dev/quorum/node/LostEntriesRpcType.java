package dev.quorum.node;

import java.time.Duration;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * The Raft transport of every node: Ratis' gRPC with the RATIS-2523 workaround of {@link
 * LostEntriesLogAppender}. Ratis finds it by its class name ({@code raft.rpc.type}), so it must
 * stay public with a public no-argument constructor.
 */
public final class LostEntriesRpcType implements RpcType {
  /** At most one appender restart per follower in this time, should a follower keep losing. */
  private static final Duration MIN_RESET_GAP = Duration.ofSeconds(3);

  public LostEntriesRpcType() {}

  @Override
  public String name() {
    return LostEntriesRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new LostEntriesRpcFactory(parameters, MIN_RESET_GAP.toNanos());
  }
}
