package dev.quorum.cli;

import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.IsolationLevel;
import dev.quorum.client.OffsetResetPolicy;
import dev.quorum.client.RebalanceListener;
import dev.quorum.client.TopicPartition;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code broker consume TOPIC}: prints records of all (or one) partitions of a topic, or of the
 * partitions a consumer group gives this member, until enough were printed, no record arrived for
 * the idle timeout, or the process is interrupted. A group member commits what it printed when it
 * stops, however it stops.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description =
        "Print the records of a topic, or a group member's share of them, to standard output.")
final class ConsumeCommand implements Callable<Integer> {
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MAX_POLL = Duration.ofMillis(500);
  // Beyond the request timeout that bounds closing the consumer (commit, leave).
  private static final Duration SHUTDOWN_SLACK = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TOPIC")
  String topic;

  @Option(
      names = "--from-beginning",
      description =
          "Start at the oldest record (default: the end). With --group: only on partitions the"
              + " group has no committed offset for.")
  boolean fromBeginning;

  @Option(names = "--partition", paramLabel = "N", description = "Read only partition N.")
  Integer partition;

  @Option(
      names = "--offset",
      paramLabel = "O",
      description = "Start at offset O (needs --partition).")
  Long offset;

  @Option(
      names = "--group",
      paramLabel = "G",
      description =
          "Join consumer group G: read the partitions the group assigns, starting at its committed"
              + " offsets, and commit progress automatically and on exit.")
  String group;

  @Option(
      names = "--instance-id",
      paramLabel = "ID",
      description =
          "With --group: a static member id; a restart with the same id gets the same partitions"
              + " back without a rebalance.")
  String instanceId;

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

  @Option(
      names = "--isolation",
      defaultValue = "read_uncommitted",
      paramLabel = "read_committed|read_uncommitted",
      converter = IsolationConverter.class,
      description =
          "read_committed shows only records outside transactions and of committed ones"
              + " (default: ${DEFAULT-VALUE}).")
  IsolationLevel isolation;

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
    AtomicBoolean reported = new AtomicBoolean();
    Runnable report =
        () -> {
          if (reported.compareAndSet(false, true)) {
            err.printf("consumed %d records%n", consumed.get());
            err.flush();
          }
        };
    Duration idle =
        idleTimeout != null ? idleTimeout : maxMessages != null ? DEFAULT_IDLE_TIMEOUT : null;
    // Ctrl-C or SIGTERM ends the loop below, which closes the consumer (a group member commits
    // and leaves) and reports how much was read; shutdown waits for that.
    try (StopSignal stop =
        new StopSignal(cli.shutdownHooks(), cli.requestTimeout().plus(SHUTDOWN_SLACK), report)) {
      try (Consumer consumer = open(cli, bootstrap)) {
        if (group != null) {
          consumer.partitionCount(topic); // fails fast on an unknown topic
          consumer.subscribe(List.of(topic), new AssignmentReporter(group, err));
        } else {
          List<TopicPartition> partitions = partitions(consumer);
          consumer.assign(partitions);
          position(consumer, partitions);
        }
        long lastRecordAt = System.nanoTime();
        while ((maxMessages == null || consumed.get() < maxMessages) && !stop.requested()) {
          Duration wait = idle == null ? MAX_POLL : min(MAX_POLL, remaining(idle, lastRecordAt));
          if (wait.isZero()) {
            break;
          }
          List<ConsumerRecord> records = consumer.poll(wait);
          int printed = 0;
          for (ConsumerRecord record : records) {
            if (maxMessages != null && consumed.get() >= maxMessages) {
              break;
            }
            out.println(formatter.format(record));
            consumed.incrementAndGet();
            printed++;
          }
          if (group != null && printed < records.size()) {
            rewind(consumer, records.subList(printed, records.size()));
          }
          if (!records.isEmpty()) {
            // checkError flushes; true means stdout is gone (e.g. piped into head): stop reading.
            if (out.checkError()) {
              break;
            }
            lastRecordAt = System.nanoTime();
          }
        }
      } finally {
        out.flush();
      }
      report.run();
    }
    return 0;
  }

  private Consumer open(BrokerCli cli, String bootstrap) {
    if (group == null) {
      return cli.clients().consumer(bootstrap, cli.requestTimeout(), isolation);
    }
    OffsetResetPolicy reset = fromBeginning ? OffsetResetPolicy.EARLIEST : OffsetResetPolicy.LATEST;
    return cli.clients()
        .groupConsumer(
            bootstrap,
            cli.requestTimeout(),
            new GroupSettings(group, instanceId, reset),
            isolation);
  }

  /** Accepts the Kafka spellings (read_committed) as well as the enum's. */
  static final class IsolationConverter implements CommandLine.ITypeConverter<IsolationLevel> {
    @Override
    public IsolationLevel convert(String value) {
      try {
        return IsolationLevel.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not read_committed or read_uncommitted");
      }
    }
  }

  private void validate() {
    if (group != null) {
      if (group.isBlank()) {
        throw new ParameterException(spec.commandLine(), "--group must not be blank");
      }
      if (partition != null || offset != null) {
        throw new ParameterException(
            spec.commandLine(),
            "--partition and --offset cannot be used with --group: the group assigns the"
                + " partitions and starts each at its committed offset (use 'group reset' to move"
                + " it)");
      }
    }
    if (instanceId != null && group == null) {
      throw new ParameterException(spec.commandLine(), "--instance-id needs --group");
    }
    if (instanceId != null && instanceId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--instance-id must not be blank");
    }
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

  /**
   * Moves the positions back to the first record not printed, so that closing the consumer commits
   * only what was printed and the group's next member starts with the rest.
   */
  private static void rewind(Consumer consumer, List<ConsumerRecord> unprinted) {
    Map<TopicPartition, Long> firstUnprinted = new LinkedHashMap<>();
    for (ConsumerRecord r : unprinted) {
      firstUnprinted.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
    firstUnprinted.forEach(consumer::seek);
  }

  private static Duration remaining(Duration idle, long lastRecordAt) {
    long left = idle.toNanos() - (System.nanoTime() - lastRecordAt);
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Tells the user on stderr which partitions this member reads, as the group moves them. */
  private static final class AssignmentReporter implements RebalanceListener {
    private final String group;
    private final PrintWriter err;

    AssignmentReporter(String group, PrintWriter err) {
      this.group = group;
      this.err = err;
    }

    @Override
    public void onPartitionsAssigned(Consumer consumer, Collection<TopicPartition> partitions) {
      print("assigned", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer consumer, Collection<TopicPartition> partitions) {
      print("revoked", partitions);
    }

    @Override
    public void onPartitionsLost(Consumer consumer, Collection<TopicPartition> partitions) {
      print("lost", partitions);
    }

    private void print(String what, Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        err.printf("group %s: %s %s%n", group, what, Partitions.join(partitions));
        err.flush();
      }
    }
  }
}
