package dev.quorum.chaos.harness;

import dev.quorum.chaos.check.CheckResult;
import dev.quorum.chaos.check.Checkers;
import dev.quorum.chaos.check.FinalState;
import dev.quorum.chaos.check.ReplicaDump;
import dev.quorum.chaos.cluster.ChaosCluster;
import dev.quorum.chaos.cluster.ReplicaDumps;
import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import dev.quorum.chaos.history.Recorder;
import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.ConsumerRecord;
import dev.quorum.client.NewTopic;
import dev.quorum.client.ProducerDescription;
import dev.quorum.client.TopicPartition;
import dev.quorum.protocol.v1.BrokerGrpc;
import dev.quorum.protocol.v1.NodeStatusRequest;
import dev.quorum.protocol.v1.NodeStatusResponse;
import dev.quorum.protocol.v1.ReplicaRole;
import dev.quorum.protocol.v1.ReplicaStatus;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try, as Jepsen runs one test: start the cluster, create the topic, run the clients while the
 * nemesis injects the scenario's faults, heal everything, wait for recovery (bounded: a liveness
 * check), drain every partition from offset 0 with a fresh consumer, read every replica's end
 * offset, stop the nodes and dump every replica from disk, and check the history and the dumps.
 */
public final class TryRunner {
  private static final Logger LOG = LoggerFactory.getLogger(TryRunner.class);

  /** The liveness bound after healing; node JVMs restarted by the heal need longer to start. */
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);

  static final Duration PROCESS_RECOVERY_BOUND = Duration.ofSeconds(90);
  static final Duration DRAIN_BOUND = Duration.ofSeconds(60);

  /** Starting JVMs on 2 busy cores can take long; this bounds setup, not the system under test. */
  static final Duration SETUP_BOUND = Duration.ofSeconds(120);

  private final Function<Scenario, ChaosCluster> clusters;

  /** {@code clusters} starts a fresh cluster for a scenario (its tier, nodes and seeded bugs). */
  public TryRunner(Function<Scenario, ChaosCluster> clusters) {
    this.clusters = clusters;
  }

  public TryResult run(Scenario scenario) {
    List<FaultWindow> faults = new java.util.ArrayList<>();
    Recorder[] recorder = {new Recorder()};
    try (ChaosCluster cluster = clusters.apply(scenario);
        // Bounded requests: a cluster the faults (or a seeded bug) broke must end the try, not hang
        // it.
        Admin admin =
            Admin.create(
                AdminConfig.builder()
                    .bootstrap(cluster.bootstrap())
                    .requestTimeout(Duration.ofSeconds(20))
                    .build())) {
      createTopic(admin, scenario, cluster.nodeIds().size());
      // The scenario's clock starts once the cluster is up: fault times are relative to the
      // workload.
      recorder[0] = new Recorder();
      return runWorkload(scenario, cluster, admin, recorder[0], faults);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failedSetup(scenario, recorder[0], faults, "interrupted");
    } catch (RuntimeException e) {
      LOG.warn("try with seed {} broke", scenario.seed(), e);
      return failedSetup(scenario, recorder[0], faults, String.valueOf(e));
    }
  }

  private TryResult runWorkload(
      Scenario scenario,
      ChaosCluster cluster,
      Admin admin,
      Recorder recorder,
      List<FaultWindow> faults)
      throws InterruptedException {
    Workload workload = new Workload(scenario, cluster.bootstrap(), recorder);
    Nemesis nemesis =
        new Nemesis(
            cluster,
            scenario.faults(),
            recorder,
            Nemesis.leaderOf(admin, Workload.TOPIC),
            scenario.seed());
    Thread nemesisThread = new Thread(nemesis, "chaos-nemesis");
    workload.start();
    nemesisThread.start();
    try {
      await(() -> recorder.now() >= TimeUnit.MILLISECONDS.toNanos(scenario.durationMs()), null);
    } finally {
      nemesis.stop();
      nemesisThread.join(30_000);
      workload.stop(Duration.ofSeconds(45));
      faults.addAll(nemesis.windows());
    }
    long healStart = System.nanoTime();
    cluster.healAll();
    Duration bound = scenario.tier().equals("process") ? PROCESS_RECOVERY_BOUND : RECOVERY_BOUND;
    boolean recovered = await(() -> recovered(admin, cluster, scenario), bound);
    long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healStart);
    boolean readCommitted = scenario.readCommitted();
    boolean drained =
        drain(cluster.bootstrap(), admin, recorder, workload.partitions(), readCommitted, null);
    Map<Integer, Long> processedUpTo = Map.of();
    if (scenario.processors() > 0) {
      drained &=
          drain(
              cluster.bootstrap(),
              admin,
              recorder,
              List.of(new TopicPartition(Workload.OUTPUT, 0)),
              true,
              Workload.OUTPUT);
      Map<Integer, Long> committed =
          committedOffsets(cluster.bootstrap(), Workload.PROCESSING_GROUP, workload.partitions());
      if (committed == null) {
        LOG.warn("replicas without a known leader: {}", leaderless(cluster));
      }
      // Unreadable after healing: the final state is incomplete, as after an unfinished drain.
      drained &= committed != null;
      processedUpTo = committed == null ? Map.of() : committed;
    }
    Map<Integer, Map<Integer, Long>> replicas = replicaEnds(cluster, scenario.partitions());
    FinalState state =
        new FinalState(recovered, recoveryMillis, drained, replicas, Map.of(), processedUpTo)
            .withDumps(dumpReplicas(cluster, scenario.partitions()));
    History history = recorder.history();
    List<CheckResult> results =
        Checkers.run(Checkers.forRun(scenario.idempotent()), history, state);
    return new TryResult(scenario, history, List.copyOf(faults), state, results, null);
  }

  /**
   * Stops the nodes and reads every replica from disk (the clients are done: the drain was the last
   * read through the broker). A dump that fails is reported per partition as unreadable, so that
   * replica-convergence says so instead of passing on less evidence.
   */
  private static Map<Integer, Map<Integer, ReplicaDump>> dumpReplicas(
      ChaosCluster cluster, int partitions) {
    try {
      return ReplicaDumps.stopAndRead(cluster, Workload.TOPIC);
    } catch (RuntimeException e) {
      LOG.warn("replica dumps failed", e);
      Map<Integer, Map<Integer, ReplicaDump>> failed = new TreeMap<>();
      for (int p = 0; p < partitions; p++) {
        failed.put(p, Map.of(0, ReplicaDump.unreadable("the dump failed: " + e)));
      }
      return failed;
    }
  }

  private static TryResult failedSetup(
      Scenario scenario, Recorder recorder, List<FaultWindow> faults, String why) {
    History history;
    try {
      history = recorder.history();
    } catch (IllegalStateException e) {
      history = new History(List.of());
      why = why + "; the history is malformed: " + e.getMessage();
    }
    return new TryResult(
        scenario,
        history,
        faults,
        new FinalState(false, 0, false, Map.of(), Map.of()),
        List.of(),
        why);
  }

  private static void createTopic(Admin admin, Scenario scenario, int nodes) {
    int replicas = Math.min(3, nodes);
    boolean created = create(admin, new NewTopic(Workload.TOPIC, scenario.partitions(), replicas));
    if (created && scenario.processors() > 0) {
      created = create(admin, new NewTopic(Workload.OUTPUT, 1, replicas));
    }
    if (!created || !await(() -> allLeaders(admin, scenario.partitions()), SETUP_BOUND)) {
      throw new IllegalStateException("the topic never got a leader for every partition");
    }
  }

  /** Creates {@code topic} (or finds it there) within {@link #SETUP_BOUND}. */
  static boolean create(Admin admin, NewTopic topic) {
    return await(
        () -> {
          try {
            admin.createTopic(topic);
            return true;
          } catch (dev.quorum.client.TopicExistsException e) {
            return true;
          } catch (RuntimeException e) {
            return false; // the metadata group may not have a leader yet
          }
        },
        SETUP_BOUND);
  }

  private static boolean allLeaders(Admin admin, int partitions) {
    try {
      var description = admin.describeTopic(Workload.TOPIC);
      return description.partitions().size() == partitions
          && description.partitions().stream().allMatch(p -> p.leader() > 0);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Every partition has a leader and all its replicas report the same end offset. */
  private static boolean recovered(Admin admin, ChaosCluster cluster, Scenario scenario) {
    if (!allLeaders(admin, scenario.partitions())) {
      return false;
    }
    Map<Integer, Map<Integer, Long>> ends = replicaEnds(cluster, scenario.partitions());
    int expected = Math.min(3, cluster.nodeIds().size());
    for (int p = 0; p < scenario.partitions(); p++) {
      Map<Integer, Long> replicas = ends.getOrDefault(p, Map.of());
      if (replicas.size() < expected || replicas.values().stream().distinct().count() != 1) {
        return false;
      }
    }
    return true;
  }

  /** Per partition, per node: the end offset of the node's replica, asked of that node. */
  static Map<Integer, Map<Integer, Long>> replicaEnds(ChaosCluster cluster, int partitions) {
    Map<Integer, Map<Integer, Long>> ends = new TreeMap<>();
    String[] addresses = cluster.bootstrap().split(",");
    for (int i = 0; i < addresses.length; i++) {
      int node = cluster.nodeIds().get(i);
      NodeStatusResponse status = nodeStatus(addresses[i]);
      if (status == null) {
        continue;
      }
      for (ReplicaStatus r : status.getReplicasList()) {
        if (r.getTopic().equals(Workload.TOPIC) && r.getPartition() < partitions) {
          ends.computeIfAbsent(r.getPartition(), p -> new TreeMap<>()).put(node, r.getEndOffset());
        }
      }
    }
    return ends;
  }

  /** Every node's replicas (internal topics too) that know no leader, for diagnosis. */
  private static List<String> leaderless(ChaosCluster cluster) {
    List<String> found = new ArrayList<>();
    String[] addresses = cluster.bootstrap().split(",");
    for (int i = 0; i < addresses.length; i++) {
      NodeStatusResponse status = nodeStatus(addresses[i]);
      if (status == null) {
        found.add("node " + cluster.nodeIds().get(i) + " did not answer");
        continue;
      }
      for (ReplicaStatus r : status.getReplicasList()) {
        if (r.getRole() != ReplicaRole.REPLICA_ROLE_LEADER && r.getLeader() <= 0) {
          found.add(r.getTopic() + "-" + r.getPartition() + " on node " + cluster.nodeIds().get(i));
        }
      }
    }
    return found;
  }

  private static NodeStatusResponse nodeStatus(String address) {
    int colon = address.lastIndexOf(':');
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
            .usePlaintext()
            .build();
    try {
      return BrokerGrpc.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance());
    } catch (RuntimeException e) {
      return null;
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * The group's committed offsets of {@code parts}, per partition, once no transaction holds
   * offsets of the group pending; null when the cluster does not answer within 60 s.
   */
  static @Nullable Map<Integer, Long> committedOffsets(
      String bootstrap, String group, List<TopicPartition> parts) {
    // Stable offsets only (read_committed asks for them): offsets a decided transaction stored in
    // the group's partition count once its marker lands there, which may be after the output's
    // marker the drain waited for. Until then the group's offsets read as they were before.
    ConsumerConfig config =
        ConsumerConfig.builder()
            .bootstrap(bootstrap)
            .groupId(group)
            .enableAutoCommit(false)
            .isolationLevel(dev.quorum.client.IsolationLevel.READ_COMMITTED)
            .requestTimeout(Duration.ofSeconds(60))
            .build();
    try (Consumer consumer = Consumer.create(config)) {
      Map<Integer, Long> committed = new TreeMap<>();
      consumer
          .committed(new java.util.HashSet<>(parts))
          .forEach((tp, offset) -> committed.put(tp.partition(), offset));
      return committed;
    } catch (RuntimeException e) {
      LOG.warn("cannot read the committed offsets of group {} within 60 s: {}", group, e);
      return null;
    }
  }

  /**
   * Reads {@code parts} from offset 0 to the end of their logs with a fresh consumer, recording
   * polls; {@code topic} null means the main topic (and is what the recorded messages carry).
   *
   * <p>The end is the log's end, read uncommitted, even for a read_committed drain: a producer that
   * stopped inside a transaction leaves it open until its coordinator aborts it after the
   * transaction timeout, and a drain that stopped at the last stable offset it first saw would call
   * everything after it unseen. Until then read_committed positions wait at that offset.
   */
  static boolean drain(
      String bootstrap,
      Admin admin,
      Recorder recorder,
      List<TopicPartition> parts,
      boolean readCommitted,
      String topic) {
    long deadline = System.nanoTime() + DRAIN_BOUND.toNanos();
    ConsumerConfig config = drainConsumer(bootstrap, readCommitted);
    Map<TopicPartition, Long> positions = new HashMap<>();
    Map<TopicPartition, Long> ends = new HashMap<>();
    while (System.nanoTime() < deadline) {
      int process = recorder.newProcess();
      try (Consumer consumer = Consumer.create(config);
          Consumer uncommitted = Consumer.create(drainConsumer(bootstrap, false))) {
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        List<Msg> start = new ArrayList<>();
        parts.forEach(tp -> start.add(new Msg(tp.partition(), 0, "", topic)));
        recorder.record(Op.of(Op.Type.invoke, process, "assign", 0).commits(start));
        recorder.record(Op.of(Op.Type.ok, process, "assign", 0).commits(start));
        ends.putAll(uncommitted.endOffsets(parts));
        while (System.nanoTime() < deadline) {
          parts.forEach(tp -> positions.put(tp, consumer.position(tp)));
          if (parts.stream().allMatch(tp -> positions.get(tp) >= ends.get(tp))) {
            return true;
          }
          recorder.record(Op.of(Op.Type.invoke, process, "poll", 0));
          try {
            List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(500));
            List<Msg> reads = Workload.toMsgs(records);
            if (topic != null) {
              reads =
                  reads.stream()
                      .map(m -> new Msg(m.partition(), m.offset(), m.value(), topic))
                      .toList();
            }
            recorder.record(Op.of(Op.Type.ok, process, "poll", 0).reads(reads));
          } catch (RuntimeException e) {
            recorder.record(
                Op.of(Workload.outcomeOf(e), process, "poll", 0).error(String.valueOf(e)));
            break;
          }
        }
      } catch (RuntimeException e) {
        LOG.info("drain consumer failed, starting a fresh one: {}", e.toString());
      }
    }
    LOG.warn(
        "the drain stopped at {} short of the log ends {}; open transactions there: {}",
        positions,
        ends,
        openTransactions(admin, parts));
    return false;
  }

  private static ConsumerConfig drainConsumer(String bootstrap, boolean readCommitted) {
    return ConsumerConfig.builder()
        .bootstrap(bootstrap)
        .fetchMaxWait(Duration.ofMillis(200))
        .maxPollRecords(1000)
        .isolationLevel(
            readCommitted
                ? dev.quorum.client.IsolationLevel.READ_COMMITTED
                : dev.quorum.client.IsolationLevel.READ_UNCOMMITTED)
        .build();
  }

  /**
   * For diagnosis: the producers with a transaction open in {@code parts}, and the coordinators'.
   */
  private static String openTransactions(Admin admin, List<TopicPartition> parts) {
    try {
      List<ProducerDescription> open = new ArrayList<>();
      for (TopicPartition tp : parts) {
        admin.describeProducers(tp).stream()
            .filter(ProducerDescription::transactionOpen)
            .forEach(open::add);
      }
      return open + ", in progress at coordinators " + admin.listTransactions();
    } catch (RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }

  /** Polls {@code condition} every 100 ms until true or {@code bound} (null: forever) passes. */
  static boolean await(BooleanSupplier condition, Duration bound) {
    long deadline = bound == null ? Long.MAX_VALUE : System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
