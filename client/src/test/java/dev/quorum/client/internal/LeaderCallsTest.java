package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.ListOffsetsRequest;
import dev.quorum.protocol.v1.ListOffsetsResponse;
import dev.quorum.protocol.v1.OffsetSpec;
import dev.quorum.protocol.v1.PartitionOffsetQuery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LeaderCallsTest {
  private static final TopicPartition T1 = new TopicPartition("t", 1);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final FakeCluster cluster = new FakeCluster(2);
  private final NodeConnections connections = cluster.connections();

  @AfterEach
  void tearDown() {
    connections.close();
    cluster.close();
  }

  @Test
  void callsTheLeaderARefreshJustNamedWithoutPausing() {
    cluster.createTopic("t", 1, 2);
    cluster.append(T1, "a", "b");
    MetadataCache metadata = new MetadataCache(connections, List.of(cluster.bootstrap()), TIMEOUT);
    // The first pause outlasts the call's deadline: an answer means none was taken.
    LeaderCalls calls = new LeaderCalls(connections, metadata, TIMEOUT, Duration.ofMinutes(1));
    ListOffsetsRequest latest =
        ListOffsetsRequest.newBuilder()
            .addPartitions(
                PartitionOffsetQuery.newBuilder()
                    .setTopic(T1.topic())
                    .setPartition(T1.partition())
                    .setSpec(OffsetSpec.OFFSET_SPEC_LATEST))
            .build();

    ListOffsetsResponse response =
        calls.call(
            T1,
            stub -> stub.listOffsets(latest),
            r -> null,
            System.nanoTime() + TIMEOUT.toNanos(),
            false);

    // Node 2 leads: another node would have answered NOT_LEADER and no offset.
    assertThat(response.getPartitions(0).hasError()).isFalse();
    assertThat(response.getPartitions(0).getOffset()).isEqualTo(2);
  }
}
