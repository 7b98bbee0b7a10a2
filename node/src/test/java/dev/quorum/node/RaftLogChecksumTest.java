package dev.quorum.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.Checksum;
import org.apache.ratis.util.JavaUtils;
import org.apache.ratis.util.PureJavaCrc32C;
import org.junit.jupiter.api.Test;

/**
 * The node's replacement of Ratis' log checksum must compute exactly what Ratis' own class does:
 * every Raft log already on disk was written with it, and a mismatch reads as a corrupt entry.
 */
class RaftLogChecksumTest {
  @Test
  void theNodesClasspathLoadsTheJdkBackedChecksum() {
    assertTrue(RaftLogChecksum.usesJdkCrc32c());
  }

  @Test
  void computesTheStandardCrc32cCheckValue() {
    Checksum c = new PureJavaCrc32C();
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    c.update(check, 0, check.length);
    assertEquals(0xE3069283L, c.getValue());
  }

  @Test
  void matchesRatisOwnImplementationOnEveryInputShape() throws Exception {
    URL ratisCommon = JavaUtils.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {ratisCommon}, null)) {
      Class<?> original = loader.loadClass(PureJavaCrc32C.class.getName());
      assertNotSame(PureJavaCrc32C.class, original);
      SplittableRandom random = new SplittableRandom(20261207L);
      for (int i = 0; i < 500; i++) {
        byte[] bytes = new byte[random.nextInt(0, 3000)];
        random.nextBytes(bytes);
        int off = bytes.length == 0 ? 0 : random.nextInt(0, bytes.length);
        int len = random.nextInt(0, bytes.length - off + 1);
        Checksum ours = new PureJavaCrc32C();
        Checksum theirs = (Checksum) original.getConstructor().newInstance();
        // A running checksum over several updates, as Ratis' reader and writer reset and reuse one.
        ours.update(bytes, off, len);
        theirs.update(bytes, off, len);
        ours.update(bytes.length);
        theirs.update(bytes.length);
        assertEquals(theirs.getValue(), ours.getValue(), "byte[] input " + i);

        ours.reset();
        theirs.reset();
        ByteBuffer heap = ByteBuffer.wrap(bytes, off, len);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).position(off);
        direct.limit(off + len);
        ours.update(heap.duplicate());
        theirs.update(heap.duplicate());
        assertEquals(theirs.getValue(), ours.getValue(), "heap buffer " + i);
        ours.update(direct);
        assertEquals(off, direct.position(), "the buffer's position is left as it was");
        assertEquals(ByteOrder.LITTLE_ENDIAN, direct.order());
        theirs.update(direct);
        assertEquals(theirs.getValue(), ours.getValue(), "direct buffer " + i);
      }
    }
  }
}
