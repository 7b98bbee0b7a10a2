package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatisPropertiesTest {
  @TempDir Path dir;

  private NodeConfig config() {
    Properties p = new Properties();
    p.setProperty("node.id", "1");
    p.setProperty("cluster.id", "c1");
    p.setProperty("data.dir", dir.toString());
    p.setProperty("client.port", "7101");
    p.setProperty("raft.port", "7201");
    p.setProperty("cluster.peers", "1@127.0.0.1:7201:7101");
    return NodeConfig.load(p);
  }

  @Test
  void aSystemPropertyOverridesARatisSettingForExperiments() throws Exception {
    String key = RaftServerConfigKeys.Log.FORCE_SYNC_NUM_KEY;
    System.setProperty(key, "16");
    try (DataDirectory data = DataDirectory.open(dir, "c1", 1)) {
      assertThat(RatisProperties.from(config(), data).get(key)).isEqualTo("16");
    } finally {
      System.clearProperty(key);
    }
  }

  @Test
  void noSystemPropertyMayAcknowledgeBeforeTheDiskHasTheWrite() throws Exception {
    String key = RaftServerConfigKeys.Log.UNSAFE_FLUSH_ENABLED_KEY;
    System.setProperty(key, "true");
    try (DataDirectory data = DataDirectory.open(dir, "c1", 1)) {
      assertThatThrownBy(() -> RatisProperties.from(config(), data))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
    } finally {
      System.clearProperty(key);
    }
  }
}
