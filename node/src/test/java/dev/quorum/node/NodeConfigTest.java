package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  private static Properties valid() {
    Properties p = new Properties();
    p.setProperty("node.id", "2");
    p.setProperty("cluster.id", "c1");
    p.setProperty("data.dir", "/tmp/x");
    p.setProperty("client.port", "7102");
    p.setProperty("raft.port", "7202");
    p.setProperty(
        "cluster.peers", "1@127.0.0.1:7201:7101,2@127.0.0.1:7202:7102,3@127.0.0.1:7203:7103");
    return p;
  }

  @Test
  void readsAValidConfigurationWithDefaults() {
    NodeConfig config = NodeConfig.load(valid());
    assertThat(config.nodeId()).isEqualTo(2);
    assertThat(config.peers()).hasSize(3);
    assertThat(config.self()).isEqualTo(new Peer(2, "127.0.0.1", 7202, 7102));
    assertThat(config.electionTimeoutMin()).isEqualTo(Duration.ofMillis(600));
  }

  @Test
  void reportsEveryProblemNamingItsKey() {
    Properties p = valid();
    p.setProperty("node.id", "zero");
    p.remove("data.dir");
    p.setProperty("raft.election.timeout.min", "fast");
    p.setProperty("client.prot", "1");
    assertThatThrownBy(() -> NodeConfig.load(p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node.id: not a whole number: 'zero'")
        .hasMessageContaining("data.dir: required")
        .hasMessageContaining("raft.election.timeout.min: 'fast' is not a duration")
        .hasMessageContaining("client.prot: unknown setting");
  }

  @Test
  void thePeerListMustNameThisNodeWithItsOwnPorts() {
    Properties p = valid();
    p.setProperty("cluster.peers", "1@127.0.0.1:7201:7101,3@127.0.0.1:7203:7103");
    assertThatThrownBy(() -> NodeConfig.load(p))
        .hasMessageContaining("cluster.peers: does not list this node (node.id=2)");
    p.setProperty("cluster.peers", "2@127.0.0.1:9999:7102");
    assertThatThrownBy(() -> NodeConfig.load(p)).hasMessageContaining("configured differently");
    p.setProperty("cluster.peers", "2@127.0.0.1");
    assertThatThrownBy(() -> NodeConfig.load(p))
        .hasMessageContaining("must look like id@host:raftPort:clientPort");
  }

  @Test
  void flagsOverrideTheConfigFile() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("node", ".properties");
    try (var out = java.nio.file.Files.newOutputStream(file)) {
      valid().store(out, null);
    }
    try {
      NodeConfig config =
          NodeCommandLine.parse(
              new String[] {"--config", file.toString(), "--data-dir", "/tmp/other"});
      assertThat(config.dataDir()).isEqualTo(java.nio.file.Path.of("/tmp/other"));
      assertThatThrownBy(() -> NodeCommandLine.parse(new String[] {"--bogus", "1"}))
          .hasMessageContaining("unknown option --bogus");
    } finally {
      java.nio.file.Files.delete(file);
    }
  }
}
