package dev.quorum.client.internal;

import dev.quorum.client.BrokerException;
import dev.quorum.client.BrokerUnavailableException;
import dev.quorum.client.ConcurrentTransactionsException;
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
import dev.quorum.client.InvalidTransactionalIdException;
import dev.quorum.client.InvalidTxnStateException;
import dev.quorum.client.LeaderNotAvailableException;
import dev.quorum.client.NotCoordinatorException;
import dev.quorum.client.NotLeaderException;
import dev.quorum.client.OffsetOutOfRangeException;
import dev.quorum.client.OutOfOrderSequenceException;
import dev.quorum.client.ProducerFencedException;
import dev.quorum.client.RecordTooLargeException;
import dev.quorum.client.RequestTimeoutException;
import dev.quorum.client.RetriableBrokerException;
import dev.quorum.client.SourceOffsetConflictException;
import dev.quorum.client.TopicExistsException;
import dev.quorum.client.UnknownMemberException;
import dev.quorum.client.UnknownPartitionException;
import dev.quorum.client.UnknownTopicException;
import dev.quorum.client.UnstableOffsetCommitException;
import dev.quorum.protocol.v1.Error;
import dev.quorum.protocol.v1.ErrorCode;
import io.grpc.Status;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one table from wire errors (and gRPC statuses) to client exceptions. */
public final class ErrorCodes {
  private ErrorCodes() {}

  /** The exception for a wire error; {@code null} for {@link ErrorCode#NONE}. */
  public static BrokerException toException(Error error) {
    String m = error.getMessage().isEmpty() ? error.getCode().name() : error.getMessage();
    boolean ind = error.getIndeterminate();
    return switch (error.getCode()) {
      case NONE -> null;
      case NOT_LEADER -> new NotLeaderException(m, ind);
      case LEADER_NOT_AVAILABLE -> new LeaderNotAvailableException(m, ind);
      case UNKNOWN_TOPIC -> new UnknownTopicException(m, ind);
      case UNKNOWN_PARTITION -> new UnknownPartitionException(m, ind);
      case INVALID_TOPIC_NAME -> new InvalidTopicException(m, ind);
      case INVALID_PARTITIONS -> new InvalidPartitionsException(m, ind);
      case INVALID_REPLICATION_FACTOR -> new InvalidReplicationFactorException(m, ind);
      case TOPIC_ALREADY_EXISTS -> new TopicExistsException(m, ind);
      case RECORD_TOO_LARGE -> new RecordTooLargeException(m, ind);
      case INVALID_REQUEST -> new InvalidRequestException(m, ind);
      case OFFSET_OUT_OF_RANGE -> new OffsetOutOfRangeException(m, ind);
      case REQUEST_TIMED_OUT -> new RequestTimeoutException(m, ind);
      case UNAVAILABLE -> new BrokerUnavailableException(m, ind);
      case NOT_COORDINATOR -> new NotCoordinatorException(m, ind);
      case COORDINATOR_NOT_AVAILABLE -> new CoordinatorNotAvailableException(m, ind);
      case UNKNOWN_MEMBER_ID -> new UnknownMemberException(m, ind);
      case FENCED_MEMBER -> new FencedMemberException(m, ind);
      case GROUP_NOT_EMPTY -> new GroupNotEmptyException(m, ind);
      case INVALID_GROUP_ID -> new InvalidGroupIdException(m, ind);
      case GROUP_NOT_FOUND -> new GroupNotFoundException(m, ind);
      case OUT_OF_ORDER_SEQUENCE -> new OutOfOrderSequenceException(m, ind);
      case PRODUCER_FENCED -> new ProducerFencedException(m, ind);
      case CONCURRENT_TRANSACTIONS -> new ConcurrentTransactionsException(m, ind);
      case INVALID_TXN_STATE -> new InvalidTxnStateException(m, ind);
      case INVALID_TRANSACTIONAL_ID -> new InvalidTransactionalIdException(m, ind);
      case UNSTABLE_OFFSET_COMMIT -> new UnstableOffsetCommitException(m, ind);
      case SOURCE_OFFSET_CONFLICT -> new SourceOffsetConflictException(m, ind);
      case INTERNAL, UNRECOGNIZED ->
          new InternalBrokerException(m + " (code " + error.getCode() + ")", ind);
    };
  }

  static boolean isError(Error error) {
    return error.getCode() != ErrorCode.NONE;
  }

  /** Whether the same request may succeed later. */
  static boolean isRetriable(ErrorCode code) {
    return switch (code) {
      case NOT_LEADER,
          LEADER_NOT_AVAILABLE,
          REQUEST_TIMED_OUT,
          UNAVAILABLE,
          NOT_COORDINATOR,
          COORDINATOR_NOT_AVAILABLE,
          CONCURRENT_TRANSACTIONS,
          UNSTABLE_OFFSET_COMMIT ->
          true;
      default -> false;
    };
  }

  /**
   * The exception for a failed RPC to {@code address}. For writes, any transport failure is
   * indeterminate: even UNAVAILABLE may come after the request reached the node (a reset
   * connection), and reporting "certainly not written" wrongly is worse than being vague.
   */
  static BrokerException fromTransport(Throwable t, String address, boolean write) {
    Throwable cause = unwrap(t);
    if (cause instanceof BrokerException be) {
      return be;
    }
    if (cause instanceof CancellationException) {
      return new BrokerException("request to " + address + " was cancelled", write, cause);
    }
    Status status = Status.fromThrowable(cause);
    String detail = status.getDescription() == null ? "" : ": " + status.getDescription();
    return switch (status.getCode()) {
      case UNAVAILABLE ->
          new BrokerUnavailableException(
              "node " + address + " is unavailable" + detail, write, cause);
      case DEADLINE_EXCEEDED ->
          new RequestTimeoutException(
              "request to " + address + " timed out" + detail, write, cause);
      default ->
          new InternalBrokerException(
              "request to " + address + " failed with " + status.getCode() + detail, write, cause);
    };
  }

  /** {@code definite}, reported for a write an earlier attempt of which may have been applied. */
  static BrokerException mayHaveBeenWritten(BrokerException definite) {
    return new BrokerException(
        definite.getMessage() + " (an earlier attempt may have been written)", true, definite);
  }

  static boolean isRetriable(BrokerException e) {
    return e instanceof RetriableBrokerException;
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
