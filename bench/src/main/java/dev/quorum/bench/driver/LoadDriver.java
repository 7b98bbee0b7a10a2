package dev.quorum.bench.driver;

import java.nio.file.Path;

/**
 * Runs one workload against one system and appends its figures to a raw.tsv:
 *
 * <pre>
 * LoadDriver SYSTEM WORKLOAD --bootstrap HOSTS --out RAW.tsv --case NAME --run N [options]
 *   SYSTEM   quorum | kafka
 *   WORKLOAD warmup | produce | consume | e2e | failover | scale-create | scale-wait | delete
 * </pre>
 *
 * scripts/bench calls it once per system, workload and run, alternating the systems.
 */
public final class LoadDriver {
  private LoadDriver() {}

  public static void main(String[] argv) throws Exception {
    if (argv.length < 2) {
      System.err.println(
          "usage: LoadDriver quorum|kafka warmup|produce|consume|e2e|failover|scale-create|"
              + "scale-wait|delete --bootstrap HOSTS --out RAW.tsv --case NAME --run N [--key value ...]");
      System.exit(2);
    }
    Args args = new Args(argv, 2);
    String bootstrap = args.required("bootstrap");
    Results results =
        new Results(
            Path.of(args.string("out", "raw.tsv")),
            args.string("case", argv[1]),
            argv[0],
            args.integer("run", 1));
    try (BenchSystem system = open(argv[0], bootstrap)) {
      switch (argv[1]) {
        case "warmup" -> Warmup.run(system, args);
        case "produce" -> ProduceThroughput.run(system, args, results);
        case "consume" -> ConsumeThroughput.run(system, args, results);
        case "e2e" -> EndToEndLatency.run(system, args, results);
        case "failover" -> LeaderFailover.run(system, args, results);
        case "scale-create" -> ScaleTopic.run(system, args, results, true);
        case "scale-wait" -> ScaleTopic.run(system, args, results, false);
        case "delete" -> system.deleteTopic(args.required("topic"));
        default -> throw new IllegalArgumentException("unknown workload " + argv[1]);
      }
    }
    // Client libraries may leave non-daemon threads behind after close.
    System.exit(0);
  }

  private static BenchSystem open(String name, String bootstrap) {
    return switch (name) {
      case "quorum" -> new QuorumSystem(bootstrap);
      case "kafka" -> new KafkaSystem(bootstrap);
      default -> throw new IllegalArgumentException("unknown system " + name);
    };
  }
}
