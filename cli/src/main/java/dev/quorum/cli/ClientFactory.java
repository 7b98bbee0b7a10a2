package dev.quorum.cli;

import dev.quorum.client.Admin;
import dev.quorum.client.AdminConfig;
import dev.quorum.client.Consumer;
import dev.quorum.client.ConsumerConfig;
import dev.quorum.client.IsolationLevel;
import dev.quorum.client.Producer;
import dev.quorum.client.ProducerConfig;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Creates the clients a command talks through; tests substitute fakes. */
interface ClientFactory {
  String CLIENT_ID = "quorum-cli";

  Admin admin(String bootstrap, Duration requestTimeout);

  /** A producer; transactional when {@code transactionalId} is not null. */
  Producer producer(String bootstrap, Duration requestTimeout, @Nullable String transactionalId);

  Consumer consumer(String bootstrap, Duration requestTimeout, IsolationLevel isolation);

  /** A consumer that subscribes as a member of a group and commits automatically. */
  Consumer groupConsumer(
      String bootstrap, Duration requestTimeout, GroupSettings group, IsolationLevel isolation);

  /** Real clients connected to the given bootstrap servers. */
  static ClientFactory real() {
    return new ClientFactory() {
      @Override
      public Admin admin(String bootstrap, Duration requestTimeout) {
        return Admin.create(
            AdminConfig.builder().bootstrap(bootstrap).requestTimeout(requestTimeout).build());
      }

      @Override
      public Producer producer(
          String bootstrap, Duration requestTimeout, @Nullable String transactionalId) {
        return Producer.create(
            ProducerConfig.builder()
                .bootstrap(bootstrap)
                .requestTimeout(requestTimeout)
                .clientId(CLIENT_ID)
                .transactionalId(transactionalId)
                .build());
      }

      @Override
      public Consumer consumer(
          String bootstrap, Duration requestTimeout, IsolationLevel isolation) {
        return Consumer.create(
            ConsumerConfig.builder()
                .bootstrap(bootstrap)
                .requestTimeout(requestTimeout)
                .clientId(CLIENT_ID)
                .isolationLevel(isolation)
                .build());
      }

      @Override
      public Consumer groupConsumer(
          String bootstrap,
          Duration requestTimeout,
          GroupSettings group,
          IsolationLevel isolation) {
        ConsumerConfig.Builder config =
            ConsumerConfig.builder()
                .bootstrap(bootstrap)
                .requestTimeout(requestTimeout)
                .clientId(CLIENT_ID)
                .isolationLevel(isolation)
                .groupId(group.groupId())
                .autoOffsetReset(group.autoOffsetReset())
                .enableAutoCommit(true);
        if (group.instanceId() != null) {
          config.groupInstanceId(group.instanceId());
        }
        return Consumer.create(config.build());
      }
    };
  }
}
