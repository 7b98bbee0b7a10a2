package dev.quorum.cli;

import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.TopicPartition;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code broker consume TOPIC}: prints records of all (or one) partitions of a topic until enough
 * were printed, no record arrived for the idle timeout, or the process is interrupted.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description = "Print the records of a topic to standard output.")
final class ConsumeCommand implements Callable<Integer> {
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MAX_POLL = Duration.ofMillis(500);

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TOPIC")
  String topic;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest record (default: the end).")
  boolean fromBeginning;

  @Option(names = "--partition", paramLabel = "N", description = "Read only partition N.")
  Integer partition;

  @Option(
      names = "--offset",
      paramLabel = "O",
      description = "Start at offset O (needs --partition).")
  Long offset;

  @Option(names = "--max-messages", paramLabel = "N", description = "Stop after N records.")
  Long maxMessages;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Stop when no record arrived for this long, e.g. 10s or 500ms (default: 10s with"
              + " --max-messages, otherwise run until interrupted).")
  Duration idleTimeout;

  @Option(names = "--format", defaultValue = "text", paramLabel = "text|json")
  OutputFormat format;

  @Option(names = "--print-key", description = "In text format, print KEY<separator>VALUE.")
  boolean printKey;

  @Option(names = "--key-separator", defaultValue = ":", paramLabel = "S")
  String keySeparator;

  @Override
  public Integer call() {
    validate();
    BrokerCli cli = BrokerCli.root(spec);
    String bootstrap = cli.bootstrap(spec);
    PrintWriter out = cli.out();
    PrintWriter err = cli.err();
    RecordFormatter formatter = new RecordFormatter(format, printKey, keySeparator);
    AtomicLong consumed = new AtomicLong();
    Duration idle =
        idleTimeout != null ? idleTimeout : maxMessages != null ? DEFAULT_IDLE_TIMEOUT : null;
    // Without an end condition the user stops us with Ctrl-C; still say how much was read.
    Thread summary = new Thread(() -> reportConsumed(err, consumed.get()), "quorum-cli-summary");
    boolean hooked = idle == null && registerShutdownHook(summary);
    try (Consumer consumer = cli.clients().consumer(bootstrap, cli.requestTimeout())) {
      List<TopicPartition> partitions = partitions(consumer);
      consumer.assign(partitions);
      position(consumer, partitions);
      long lastRecordAt = System.nanoTime();
      while (maxMessages == null || consumed.get() < maxMessages) {
        Duration wait = idle == null ? MAX_POLL : min(MAX_POLL, remaining(idle, lastRecordAt));
        if (wait.isZero()) {
          break;
        }
        List<ConsumerRecord> records = consumer.poll(wait);
        for (ConsumerRecord record : records) {
          if (maxMessages != null && consumed.get() >= maxMessages) {
            break;
          }
          out.println(formatter.format(record));
          consumed.incrementAndGet();
        }
        if (!records.isEmpty()) {
          // checkError flushes; true means stdout is gone (e.g. piped into head), so stop reading.
          if (out.checkError()) {
            break;
          }
          lastRecordAt = System.nanoTime();
        }
      }
    } finally {
      out.flush();
      if (hooked) {
        unregisterShutdownHook(summary);
      }
    }
    reportConsumed(err, consumed.get());
    return 0;
  }

  private void validate() {
    if (offset != null && partition == null) {
      throw new ParameterException(spec.commandLine(), "--offset needs --partition");
    }
    if (offset != null && fromBeginning) {
      throw new ParameterException(
          spec.commandLine(), "--offset and --from-beginning exclude each other");
    }
    if (offset != null && offset < 0) {
      throw new ParameterException(spec.commandLine(), "--offset must not be negative");
    }
    if (maxMessages != null && maxMessages < 1) {
      throw new ParameterException(spec.commandLine(), "--max-messages must be at least 1");
    }
    if (idleTimeout != null && idleTimeout.isZero()) {
      throw new ParameterException(spec.commandLine(), "--timeout must be positive");
    }
  }

  private List<TopicPartition> partitions(Consumer consumer) {
    int count = consumer.partitionCount(topic);
    if (partition != null) {
      if (partition < 0 || partition >= count) {
        throw new CliException(
            "topic " + topic + " has " + count + " partitions; there is no partition " + partition);
      }
      return List.of(new TopicPartition(topic, partition));
    }
    List<TopicPartition> all = new ArrayList<>(count);
    for (int p = 0; p < count; p++) {
      all.add(new TopicPartition(topic, p));
    }
    return all;
  }

  private void position(Consumer consumer, List<TopicPartition> partitions) {
    if (offset != null) {
      consumer.seek(partitions.get(0), offset);
    } else if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
  }

  private static Duration remaining(Duration idle, long lastRecordAt) {
    long left = idle.toNanos() - (System.nanoTime() - lastRecordAt);
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void reportConsumed(PrintWriter err, long count) {
    err.printf("consumed %d records%n", count);
    err.flush();
  }

  private static boolean registerShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return true;
    } catch (IllegalStateException e) {
      return false; // already shutting down
    }
  }

  private static void unregisterShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook runs anyway
    }
  }
}
