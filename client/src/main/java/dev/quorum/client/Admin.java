package dev.quorum.client;

import dev.quorum.client.internal.QuorumAdmin;
import java.util.List;
import java.util.Map;

/**
 * Creates, deletes and describes topics, reports the state of the cluster, and inspects and resets
 * consumer groups.
 *
 * <p><b>Threading.</b> Thread-safe. Every method is synchronous and bounded by {@link
 * AdminConfig#requestTimeout()}.
 *
 * <p><b>Failures.</b> Methods throw {@link BrokerException} subclasses: for example {@link
 * TopicExistsException}, {@link UnknownTopicException}, or {@link RequestTimeoutException} / {@link
 * BrokerUnavailableException} when the cluster did not answer in time.
 *
 * <pre>{@code
 * try (Admin admin = Admin.create(AdminConfig.builder().bootstrap("127.0.0.1:7201").build())) {
 *   admin.createTopic(new NewTopic("orders", 3, 3));
 * }
 * }</pre>
 */
public interface Admin extends AutoCloseable {

  static Admin create(AdminConfig config) {
    return QuorumAdmin.create(config);
  }

  /** Creates a topic and waits until every partition has a leader. */
  TopicDescription createTopic(NewTopic topic);

  void deleteTopic(String name);

  /** Names of all topics, sorted. */
  List<String> listTopics();

  /** The topic's partitions with leaders, replicas and start/end offsets. */
  TopicDescription describeTopic(String name);

  /** Asks every node for its status; a node that does not answer within ~2 s is reported down. */
  ClusterStatus clusterStatus();

  /** Every consumer group of the cluster, sorted by id (asks every node; each lists its own). */
  List<GroupListing> listGroups();

  /**
   * The group's members and assignments, and per partition with a committed offset the lag.
   *
   * @throws GroupNotFoundException if the group does not exist
   */
  GroupDescription describeGroup(String groupId);

  /** The transactional ids the cluster's transaction coordinators know, with their state. */
  List<TransactionDescription> listTransactions();

  /**
   * One transactional id's producer, epoch and open transaction, if any.
   *
   * @throws InvalidTransactionalIdException if no producer ever used the id
   */
  TransactionDescription describeTransaction(String transactionalId);

  /** The producers the partition's leader remembers, with their open transactions. */
  List<ProducerDescription> describeProducers(TopicPartition partition);

  /**
   * Transactions open in some partition that no coordinator has in progress, so nothing will ever
   * end them and they hold the partition's last stable offset back (read_committed consumers stop
   * there). Each is found open, then unknown to every coordinator, then open still.
   *
   * @throws CoordinatorNotAvailableException if a coordinator could not be asked, since the scan
   *     then proves nothing
   */
  List<ProducerDescription> findHangingTransactions();

  /**
   * Writes an abort marker for a hanging transaction (see {@link #findHangingTransactions()}). The
   * operator's last resort: it is refused while the transaction's coordinator has it in progress,
   * because the coordinator alone may decide that transaction's outcome.
   *
   * @throws InvalidTxnStateException if the producer has no open transaction of that epoch in the
   *     partition, or its coordinator has it in progress
   * @throws CoordinatorNotAvailableException if a coordinator could not be asked
   */
  void abortTransaction(TopicPartition partition, long producerId, int producerEpoch);

  /**
   * Sets the group's committed offset of every partition of {@code topic} to the position {@code
   * spec} resolves to, and returns the new offsets by partition.
   *
   * @throws GroupNotEmptyException if the group has active members
   * @throws UnknownTopicException if the topic does not exist
   */
  Map<TopicPartition, Long> resetOffsets(String groupId, String topic, OffsetResetSpec spec);

  @Override
  void close();
}
