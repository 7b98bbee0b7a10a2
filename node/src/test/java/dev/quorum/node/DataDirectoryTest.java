package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
  @TempDir Path dir;

  @Test
  void aDirectoryBelongsToTheClusterAndNodeThatFirstUsedIt() throws Exception {
    try (DataDirectory ignored = DataDirectory.open(dir, "alpha", 1)) {
      assertThat(dir.resolve("meta.properties")).exists();
    }
    try (DataDirectory ignored = DataDirectory.open(dir, "alpha", 1)) {
      // reopening as the same node of the same cluster is fine
    }
    assertThatThrownBy(() -> DataDirectory.open(dir, "beta", 1))
        .isInstanceOf(DataDirectory.DataDirectoryException.class)
        .hasMessageContaining("belongs to cluster alpha, not to cluster beta");
    assertThatThrownBy(() -> DataDirectory.open(dir, "alpha", 2))
        .hasMessageContaining("belongs to node 1, not to node 2");
  }

  @Test
  void twoProcessesCannotShareADirectory() throws Exception {
    try (DataDirectory ignored = DataDirectory.open(dir, "alpha", 1)) {
      assertThatThrownBy(() -> DataDirectory.open(dir, "alpha", 1)).hasMessageContaining("in use");
    }
  }

  @Test
  void aNonEmptyDirectoryWithoutMetadataIsRefused() throws Exception {
    Files.writeString(dir.resolve("precious.txt"), "data");
    assertThatThrownBy(() -> DataDirectory.open(dir, "alpha", 1))
        .hasMessageContaining("not a data directory of this broker");
    assertThat(dir.resolve("precious.txt")).hasContent("data");
  }
}
