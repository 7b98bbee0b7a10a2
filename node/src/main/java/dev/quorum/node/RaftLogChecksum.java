package dev.quorum.node;

import java.security.CodeSource;
import java.util.Objects;
import org.apache.ratis.util.PureJavaCrc32C;

/**
 * Whether Ratis' log checksums run on the JDK's CRC32C (this node's replacement of Ratis' {@link
 * PureJavaCrc32C}) or on Ratis' own table-driven version, which a classpath that lists Ratis' jars
 * before the node's would load instead. Either computes the same values; only the CPU cost differs.
 */
final class RaftLogChecksum {
  private RaftLogChecksum() {}

  static boolean usesJdkCrc32c() {
    return Objects.equals(codeSource(PureJavaCrc32C.class), codeSource(RaftLogChecksum.class));
  }

  private static String codeSource(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    return source == null ? null : String.valueOf(source.getLocation());
  }
}
