package dev.quorum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 5, unit = TimeUnit.SECONDS)
class ConfigTest {
  @Test
  void producerDefaults() {
    ProducerConfig c = ProducerConfig.builder().bootstrap("127.0.0.1:7201,127.0.0.1:7202").build();
    assertThat(c.linger()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.batchSize()).isEqualTo(65536);
    assertThat(c.bufferMemory()).isEqualTo(32 << 20);
    assertThat(c.maxBlock()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.retryBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.deliveryTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.enableIdempotence()).isTrue();
    assertThat(
            ProducerConfig.builder()
                .bootstrap("127.0.0.1:7201")
                .enableIdempotence(false)
                .build()
                .enableIdempotence())
        .isFalse();
  }

  @Test
  void producerRejectsBadValuesNamingTheSetting() {
    assertThatThrownBy(() -> ProducerConfig.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> ProducerConfig.builder().bootstrap("localhost").build())
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> ProducerConfig.builder().bootstrap("h:99999").build())
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> ProducerConfig.builder().bootstrap("h:1").batchSize(0).build())
        .hasMessageContaining("batchSize");
    assertThatThrownBy(
            () -> ProducerConfig.builder().bootstrap("h:1").linger(Duration.ofMillis(-1)).build())
        .hasMessageContaining("linger");
    assertThatThrownBy(() -> ProducerConfig.builder().bootstrap("h:1").bufferMemory(-5).build())
        .hasMessageContaining("bufferMemory");
    assertThatThrownBy(
            () -> ProducerConfig.builder().bootstrap("h:1").deliveryTimeout(Duration.ZERO).build())
        .hasMessageContaining("deliveryTimeout");
    assertThatThrownBy(() -> ProducerConfig.builder().bootstrap("h:1").requestTimeout(null).build())
        .hasMessageContaining("requestTimeout");
  }

  @Test
  void aTransactionalProducerNeedsIdempotenceAndABoundedTimeout() {
    ProducerConfig.Builder base = ProducerConfig.builder().bootstrap("h:1");
    assertThat(base.transactionalId("loader").build().transactionTimeout())
        .isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> base.transactionalId(" ").build())
        .hasMessageContaining("transactionalId");
    assertThatThrownBy(() -> base.transactionalId("loader").enableIdempotence(false).build())
        .hasMessageContaining("enableIdempotence");
    assertThatThrownBy(
            () -> base.enableIdempotence(true).transactionTimeout(Duration.ofMinutes(16)).build())
        .hasMessageContaining("transactionTimeout");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // starts and stops a producer's threads
  void transactionalCallsOnAPlainProducerAreRefused() {
    try (Producer producer = Producer.create(ProducerConfig.builder().bootstrap("h:1").build())) {
      assertThatThrownBy(producer::initTransactions)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("transactionalId");
      assertThatThrownBy(producer::beginTransaction).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // starts and stops a producer's threads
  void aTransactionalProducerMustInitialiseAndBeginBeforeSending() {
    try (Producer producer =
        Producer.create(
            ProducerConfig.builder().bootstrap("h:1").transactionalId("loader").build())) {
      assertThatThrownBy(producer::beginTransaction)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("initTransactions");
      assertThatThrownBy(() -> producer.send(ProducerRecord.of("t", new byte[0])))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("beginTransaction");
    }
  }

  @Test
  void consumerRejectsBadValuesNamingTheSetting() {
    ConsumerConfig c = ConsumerConfig.builder().bootstrap("h:1").build();
    assertThat(c.autoOffsetReset()).isEqualTo(OffsetResetPolicy.LATEST);
    assertThat(c.maxPollRecords()).isEqualTo(500);
    assertThat(c.fetchMaxBytes()).isEqualTo(50 * 1024 * 1024);
    assertThatThrownBy(() -> ConsumerConfig.builder().bootstrap("h:1").maxPollRecords(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPollRecords");
    assertThatThrownBy(
            () -> ConsumerConfig.builder().bootstrap("h:1").maxPartitionFetchBytes(-1).build())
        .hasMessageContaining("maxPartitionFetchBytes");
    assertThatThrownBy(
            () -> ConsumerConfig.builder().bootstrap("h:1").autoOffsetReset(null).build())
        .hasMessageContaining("autoOffsetReset");
    assertThat(c.retryBackoff()).isEqualTo(Duration.ofMillis(50));
    assertThatThrownBy(
            () -> ConsumerConfig.builder().bootstrap("h:1").retryBackoff(Duration.ZERO).build())
        .hasMessageContaining("retryBackoff");
  }

  @Test
  void consumerGroupSettings() {
    ConsumerConfig c = ConsumerConfig.builder().bootstrap("h:1").build();
    assertThat(c.groupId()).isNull();
    assertThat(c.groupInstanceId()).isNull();
    assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.enableAutoCommit()).isTrue();
    assertThat(c.autoCommitInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.assignor()).isEqualTo(GroupAssignor.STICKY);
    assertThat(GroupAssignor.ROUND_ROBIN.wireName()).isEqualTo("roundrobin");
    assertThat(GroupAssignor.RANGE.wireName()).isEqualTo("range");
    assertThat(
            ConsumerConfig.builder()
                .bootstrap("h:1")
                .groupId("g")
                .sessionTimeout(Duration.ofSeconds(1))
                .build()
                .sessionTimeout())
        .isEqualTo(Duration.ofSeconds(1));

    assertThatThrownBy(
            () ->
                ConsumerConfig.builder()
                    .bootstrap("h:1")
                    .sessionTimeout(Duration.ofMillis(999))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionTimeout");
    assertThatThrownBy(() -> ConsumerConfig.builder().bootstrap("h:1").groupId(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupId");
    assertThatThrownBy(() -> ConsumerConfig.builder().bootstrap("h:1").groupId("").build())
        .hasMessageContaining("groupId");
    assertThatThrownBy(
            () -> ConsumerConfig.builder().bootstrap("h:1").groupId("x".repeat(250)).build())
        .hasMessageContaining("groupId");
    assertThatThrownBy(
            () ->
                ConsumerConfig.builder().bootstrap("h:1").groupId("g").groupInstanceId("").build())
        .hasMessageContaining("groupInstanceId");
    assertThatThrownBy(
            () ->
                ConsumerConfig.builder().bootstrap("h:1").autoCommitInterval(Duration.ZERO).build())
        .hasMessageContaining("autoCommitInterval");
    assertThatThrownBy(() -> ConsumerConfig.builder().bootstrap("h:1").assignor(null).build())
        .hasMessageContaining("assignor");
  }

  @Test
  void offsetResetSpecs() {
    assertThat(OffsetResetSpec.toOffset(7).kind()).isEqualTo(OffsetResetSpec.Kind.OFFSET);
    assertThat(OffsetResetSpec.toOffset(7).offset()).isEqualTo(7);
    assertThat(OffsetResetSpec.earliest()).isEqualTo(OffsetResetSpec.earliest());
    assertThatThrownBy(() -> OffsetResetSpec.toOffset(-1)).hasMessageContaining("offset");
  }

  @Test
  void adminRejectsBadValuesNamingTheSetting() {
    assertThatThrownBy(() -> AdminConfig.builder().bootstrap("").build())
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(
            () -> AdminConfig.builder().bootstrap("h:1").requestTimeout(Duration.ZERO).build())
        .hasMessageContaining("requestTimeout");
  }

  @Test
  void recordsValidateAndPrint() {
    assertThat(new TopicPartition("orders", 3)).hasToString("orders-3");
    assertThatThrownBy(() -> ProducerRecord.builder("t").partition(-1).build())
        .hasMessageContaining("partition");
    ProducerRecord r = ProducerRecord.builder("t").header("h", new byte[] {1}).timestamp(7).build();
    assertThat(r.partition()).isNull();
    assertThat(r.key()).isNull();
    assertThat(r.headers()).hasSize(1);
    assertThat(r.timestamp()).isEqualTo(7);
  }
}
