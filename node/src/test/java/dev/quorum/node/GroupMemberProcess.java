package dev.quorum.node;

import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.TopicPartition;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A consumer group member in a JVM of its own, so a test can crash it for real (SIGKILL, or SIGSTOP
 * for a zombie): a member in the test's own JVM keeps heartbeating from its background thread
 * whether it polls or not.
 *
 * <p>Arguments: bootstrap, group, topic, session timeout in ms. It polls and commits, and prints
 * {@code owned p1,p2}, {@code value V} and {@code committed}; on a line {@code commit TOPIC
 * PARTITION OFFSET} from standard input it commits that offset and prints {@code commit-ok} or
 * {@code commit-failed ExceptionClass}.
 */
final class GroupMemberProcess {
  private GroupMemberProcess() {}

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  commands.add(line);
                }
              } catch (IOException e) {
                // The test is gone; so is this process soon.
              }
              System.exit(0);
            });
    stdin.setDaemon(true);
    stdin.start();
    ConsumerConfig config =
        ConsumerConfig.builder()
            .bootstrap(args[0])
            .groupId(args[1])
            .sessionTimeout(Duration.ofMillis(Long.parseLong(args[3])))
            .autoOffsetReset(OffsetResetPolicy.EARLIEST)
            .enableAutoCommit(false)
            .build();
    try (Consumer consumer = Consumer.create(config)) {
      consumer.subscribe(List.of(args[2]));
      Set<TopicPartition> owned = Set.of();
      while (true) {
        String command = commands.poll();
        if (command != null) {
          out.println(commit(consumer, command.split(" ")));
        }
        List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(100));
        if (!consumer.assignment().equals(owned)) {
          owned = Set.copyOf(consumer.assignment());
          out.println(
              "owned "
                  + owned.stream()
                      .map(tp -> String.valueOf(tp.partition()))
                      .sorted()
                      .collect(Collectors.joining(",")));
        }
        for (ConsumerRecord r : records) {
          out.println("value " + new String(r.value(), StandardCharsets.UTF_8));
        }
        if (!records.isEmpty()) {
          try {
            consumer.commitSync();
            out.println("committed");
          } catch (RuntimeException e) {
            // A zombie: it consumed what it had fetched before noticing it was dropped.
            out.println("commit-failed " + e.getClass().getSimpleName());
          }
        }
      }
    }
  }

  private static String commit(Consumer consumer, String[] command) {
    try {
      consumer.commitSync(
          Map.of(
              new TopicPartition(command[1], Integer.parseInt(command[2])),
              Long.parseLong(command[3])));
      return "commit-ok";
    } catch (RuntimeException e) {
      return "commit-failed " + e.getClass().getSimpleName();
    }
  }

  /** The test's handle on a member process: what it printed (its log goes to a file), signals. */
  static final class Handle implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

    Handle(String bootstrap, String group, String topic, Duration session, java.nio.file.Path log)
        throws IOException {
      String java = ProcessHandle.current().info().command().orElse("java");
      process =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  GroupMemberProcess.class.getName(),
                  bootstrap,
                  group,
                  topic,
                  String.valueOf(session.toMillis()))
              .redirectError(log.toFile())
              .start();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // The process ended.
                }
              },
              "group-member-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** The partitions it last said it owns. */
    Set<Integer> owned() {
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i);
        if (line.startsWith("owned")) {
          String list = line.substring("owned".length()).trim();
          return list.isEmpty()
              ? Set.of()
              : java.util.Arrays.stream(list.split(","))
                  .map(Integer::valueOf)
                  .collect(Collectors.toSet());
        }
      }
      return Set.of();
    }

    List<String> values() {
      return lines.stream()
          .filter(l -> l.startsWith("value "))
          .map(l -> l.substring("value ".length()))
          .toList();
    }

    @Override
    public String toString() {
      return "member process " + process.pid() + " printed " + lines;
    }

    /** The first line from the {@code from}th on that starts with the prefix, or null. */
    String printed(int from, String prefix) {
      return lines.stream().skip(from).filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }

    int linesPrinted() {
      return lines.size();
    }

    /** Whether it committed after the last record it printed. */
    boolean committedWhatItSaw() {
      int lastValue = -1;
      int lastCommit = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("value ")) {
          lastValue = i;
        } else if (lines.get(i).equals("committed")) {
          lastCommit = i;
        }
      }
      return lastCommit > lastValue;
    }

    void send(String command) throws IOException {
      process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    }

    void signal(String signal) throws IOException, InterruptedException {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IOException("kill -" + signal + " " + process.pid() + " failed");
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
