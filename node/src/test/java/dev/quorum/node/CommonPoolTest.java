package dev.quorum.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs in a fresh JVM that sees 2 processors, as CI and the benchmark machine do, because the
 * common pool's parallelism is fixed for good once anything in a JVM has used it.
 */
class CommonPoolTest {
  @Test
  void onTwoCoresTheDefaultAsyncExecutorStartsAThreadPerTask() throws Exception {
    assertEquals("Thread", asyncWorkerKind(false));
  }

  @Test
  void afterTheNodesRequestTheDefaultAsyncExecutorIsThePool() throws Exception {
    assertEquals("ForkJoinWorkerThread", asyncWorkerKind(true));
  }

  /** The kind of thread a CompletableFuture async stage without an executor runs on. */
  private static String asyncWorkerKind(boolean request) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process probe =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-XX:ActiveProcessorCount=2",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Probe.class.getName(),
                    Boolean.toString(request)))
            .redirectErrorStream(true)
            .start();
    try {
      if (!probe.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the probe JVM did not finish within 60 s");
      }
      String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, probe.exitValue(), out);
      return out.strip();
    } finally {
      probe.destroyForcibly();
    }
  }

  /** The probe JVM's entry point: prints the kind of thread an async stage ran on. */
  static final class Probe {
    public static void main(String[] args) {
      if (Boolean.parseBoolean(args[0])) {
        CommonPool.requestParallelism();
      }
      System.out.println(
          CompletableFuture.supplyAsync(
                  () ->
                      Thread.currentThread() instanceof ForkJoinWorkerThread
                          ? "ForkJoinWorkerThread"
                          : "Thread")
              .join());
    }
  }
}
