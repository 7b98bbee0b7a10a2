package org.apache.ratis.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * Takes the place of Ratis 3.3.0's class of this name, which its log writer and reader instantiate
 * directly for every entry's checksum: the same CRC32C polynomial and values, computed by the JDK's
 * {@link CRC32C}, which uses the processor's CRC instructions. Ratis' table-driven Java version
 * took 6-10% of every node's CPU under produce load. The node's jar comes before Ratis' on every
 * classpath the node starts with ({@code scripts/cluster}, the chaos suite), so this class wins;
 * {@code dev.quorum.node.RaftLogChecksum} reports at start-up which one was loaded. Remove it once
 * Ratis delegates to the JDK itself, as Hadoop's class of the same origin does since HADOOP-19839.
 */
public class PureJavaCrc32C implements Checksum {
  private final CRC32C crc = new CRC32C();

  public PureJavaCrc32C() {}

  @Override
  public long getValue() {
    return crc.getValue();
  }

  @Override
  public void reset() {
    crc.reset();
  }

  @Override
  public void update(byte[] b, int off, int len) {
    crc.update(b, off, len);
  }

  @Override
  public final void update(int b) {
    crc.update(b);
  }

  /**
   * As Ratis' version: reads the remaining bytes without moving the buffer's position, and leaves
   * the buffer's byte order little-endian.
   */
  @Override
  public void update(ByteBuffer b) {
    b.order(ByteOrder.LITTLE_ENDIAN);
    int position = b.position();
    crc.update(b);
    b.position(position);
  }
}
