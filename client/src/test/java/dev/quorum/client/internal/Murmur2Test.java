package dev.quorum.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 5, unit = TimeUnit.SECONDS)
class Murmur2Test {
  @Test
  void matchesKafkaVectors() {
    // From Kafka's UtilsTest.testMurmur2.
    assertThat(Murmur2.hash("21".getBytes(UTF_8))).isEqualTo(-973932308);
    assertThat(Murmur2.hash("foobar".getBytes(UTF_8))).isEqualTo(-790332482);
    assertThat(Murmur2.hash("a-little-bit-long-string".getBytes(UTF_8))).isEqualTo(-985981536);
    assertThat(Murmur2.hash("a-little-bit-longer-string".getBytes(UTF_8))).isEqualTo(-1486304829);
    assertThat(Murmur2.hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".getBytes(UTF_8)))
        .isEqualTo(-58897971);
    assertThat(Murmur2.hash(new byte[] {'a', 'b', 'c'})).isEqualTo(479470107);
  }

  @Test
  void partitionUsesToPositiveLikeKafkaNotFloorMod() {
    int hash = Murmur2.hash("21".getBytes(UTF_8));
    assertThat(Murmur2.toPositive(hash)).isEqualTo(1173551340);
    assertThat(Murmur2.toPositive(Integer.MIN_VALUE)).isZero();
    assertThat(Murmur2.partition("21".getBytes(UTF_8), 3)).isEqualTo(1173551340 % 3);
    // The two mappings differ for negative hashes; Kafka's is the one that must hold.
    assertThat(Math.floorMod(hash, 3)).isNotEqualTo(1173551340 % 3);
  }
}
