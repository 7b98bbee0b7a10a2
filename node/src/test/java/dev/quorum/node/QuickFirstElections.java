package dev.quorum.node;

import java.util.Map;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps first elections (a new group, a restart) quick in tests whose election timeout is far
 * longer than the test may run, so that only the path under test can elect later leaders. The keys
 * are read by RatisProperties when a node starts (a Ratis key set as a JVM system property).
 */
final class QuickFirstElections implements BeforeEachCallback, AfterEachCallback {
  private static final Map<String, String> KEYS =
      Map.of(
          RaftServerConfigKeys.Rpc.FIRST_ELECTION_TIMEOUT_MIN_KEY, "300ms",
          RaftServerConfigKeys.Rpc.FIRST_ELECTION_TIMEOUT_MAX_KEY, "600ms");

  @Override
  public void beforeEach(ExtensionContext context) {
    KEYS.forEach(System::setProperty);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    KEYS.keySet().forEach(System::clearProperty);
  }
}
