package dev.quorum.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.client.BrokerException;
import dev.quorum.client.BrokerUnavailableException;
import dev.quorum.client.CoordinatorNotAvailableException;
import dev.quorum.client.FencedMemberException;
import dev.quorum.client.GroupNotEmptyException;
import dev.quorum.client.GroupNotFoundException;
import dev.quorum.client.InternalBrokerException;
import dev.quorum.client.InvalidGroupIdException;
import dev.quorum.client.InvalidPartitionsException;
import dev.quorum.client.InvalidReplicationFactorException;
import dev.quorum.client.InvalidRequestException;
import dev.quorum.client.InvalidTopicException;
import dev.quorum.client.LeaderNotAvailableException;
import dev.quorum.client.NotCoordinatorException;
import dev.quorum.client.NotLeaderException;
import dev.quorum.client.OffsetOutOfRangeException;
import dev.quorum.client.OutOfOrderSequenceException;
import dev.quorum.client.ProducerFencedException;
import dev.quorum.client.RecordTooLargeException;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.RetriableBrokerException;
import dev.quorum.client.TopicExistsException;
import dev.quorum.client.UnknownMemberException;
import dev.quorum.client.UnknownPartitionException;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import io.grpc.Status;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 5, unit = TimeUnit.SECONDS)
class ErrorCodesTest {
  private static final Map<ErrorCode, Class<? extends BrokerException>> EXPECTED =
      new EnumMap<>(ErrorCode.class);

  static {
    EXPECTED.put(ErrorCode.NOT_LEADER, NotLeaderException.class);
    EXPECTED.put(ErrorCode.LEADER_NOT_AVAILABLE, LeaderNotAvailableException.class);
    EXPECTED.put(ErrorCode.UNKNOWN_TOPIC, UnknownTopicException.class);
    EXPECTED.put(ErrorCode.UNKNOWN_PARTITION, UnknownPartitionException.class);
    EXPECTED.put(ErrorCode.INVALID_TOPIC_NAME, InvalidTopicException.class);
    EXPECTED.put(ErrorCode.INVALID_PARTITIONS, InvalidPartitionsException.class);
    EXPECTED.put(ErrorCode.INVALID_REPLICATION_FACTOR, InvalidReplicationFactorException.class);
    EXPECTED.put(ErrorCode.TOPIC_ALREADY_EXISTS, TopicExistsException.class);
    EXPECTED.put(ErrorCode.RECORD_TOO_LARGE, RecordTooLargeException.class);
    EXPECTED.put(ErrorCode.INVALID_REQUEST, InvalidRequestException.class);
    EXPECTED.put(ErrorCode.OFFSET_OUT_OF_RANGE, OffsetOutOfRangeException.class);
    EXPECTED.put(ErrorCode.REQUEST_TIMED_OUT, RequestTimeoutException.class);
    EXPECTED.put(ErrorCode.UNAVAILABLE, BrokerUnavailableException.class);
    EXPECTED.put(ErrorCode.INTERNAL, InternalBrokerException.class);
    EXPECTED.put(ErrorCode.NOT_COORDINATOR, NotCoordinatorException.class);
    EXPECTED.put(ErrorCode.COORDINATOR_NOT_AVAILABLE, CoordinatorNotAvailableException.class);
    EXPECTED.put(ErrorCode.UNKNOWN_MEMBER_ID, UnknownMemberException.class);
    EXPECTED.put(ErrorCode.FENCED_MEMBER, FencedMemberException.class);
    EXPECTED.put(ErrorCode.GROUP_NOT_EMPTY, GroupNotEmptyException.class);
    EXPECTED.put(ErrorCode.INVALID_GROUP_ID, InvalidGroupIdException.class);
    EXPECTED.put(ErrorCode.GROUP_NOT_FOUND, GroupNotFoundException.class);
    EXPECTED.put(ErrorCode.OUT_OF_ORDER_SEQUENCE, OutOfOrderSequenceException.class);
    EXPECTED.put(ErrorCode.PRODUCER_FENCED, ProducerFencedException.class);
    EXPECTED.put(
        ErrorCode.CONCURRENT_TRANSACTIONS, dev.quorum.client.ConcurrentTransactionsException.class);
    EXPECTED.put(ErrorCode.INVALID_TXN_STATE, dev.quorum.client.InvalidTxnStateException.class);
    EXPECTED.put(
        ErrorCode.INVALID_TRANSACTIONAL_ID,
        dev.quorum.client.InvalidTransactionalIdException.class);
    EXPECTED.put(
        ErrorCode.UNSTABLE_OFFSET_COMMIT, dev.quorum.client.UnstableOffsetCommitException.class);
    EXPECTED.put(
        ErrorCode.SOURCE_OFFSET_CONFLICT, dev.quorum.client.SourceOffsetConflictException.class);
  }

  @Test
  void mapsEveryErrorCode() {
    for (ErrorCode code : ErrorCode.values()) {
      if (code == ErrorCode.UNRECOGNIZED) {
        continue;
      }
      Error error = Error.newBuilder().setCode(code).setMessage("msg " + code).build();
      BrokerException e = ErrorCodes.toException(error);
      if (code == ErrorCode.NONE) {
        assertThat(e).isNull();
        continue;
      }
      assertThat(e).as(code.name()).isExactlyInstanceOf(EXPECTED.get(code));
      assertThat(e.getMessage()).contains("msg " + code);
      assertThat(e instanceof RetriableBrokerException)
          .as(code.name())
          .isEqualTo(ErrorCodes.isRetriable(code));
      assertThat(e.indeterminate()).isFalse();
    }
    assertThat(EXPECTED).hasSize(ErrorCode.values().length - 2);
  }

  @Test
  void keepsIndeterminateFlag() {
    Error error =
        Error.newBuilder().setCode(ErrorCode.REQUEST_TIMED_OUT).setIndeterminate(true).build();
    assertThat(ErrorCodes.toException(error).indeterminate()).isTrue();
    assertThat(ErrorCodes.toException(error)).hasMessage("REQUEST_TIMED_OUT");
  }

  @Test
  void mapsTransportStatuses() {
    assertThat(ErrorCodes.fromTransport(Status.UNAVAILABLE.asRuntimeException(), "n:1", false))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("n:1");
    BrokerException timeout =
        ErrorCodes.fromTransport(Status.DEADLINE_EXCEEDED.asRuntimeException(), "n:1", true);
    assertThat(timeout).isInstanceOf(RequestTimeoutException.class);
    assertThat(timeout.indeterminate()).isTrue();
    assertThat(ErrorCodes.fromTransport(Status.INTERNAL.asRuntimeException(), "n:1", false))
        .isInstanceOf(InternalBrokerException.class);
  }
}
