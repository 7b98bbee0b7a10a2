package dev.quorum.chaos.history;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One line of a history: the invocation or the completion of a client operation, as Jepsen records
 * them. A completion is {@code ok} (it happened), {@code fail} (it certainly did not happen) or
 * {@code info} (indeterminate: it may or may not have happened). A process that saw {@code info} is
 * never reused, so every process runs one operation at a time.
 *
 * @param index position in the history
 * @param type invoke, ok, fail or info
 * @param process the logical client that ran it
 * @param f send, txn, poll, assign, commit, recover (the final liveness probe)
 * @param time nanoseconds since the run started
 * @param writes what the operation wrote (offsets filled in on an ok completion)
 * @param reads what a poll returned
 * @param group the consumer group of a group poll, assign or commit
 * @param commits offsets a commit stored, or partitions an assign gave (offset = position)
 * @param commitTime for a transaction: when commit was invoked (nanos), -1 otherwise
 * @param error the error of a fail or info completion
 */
public record Op(
    long index,
    Type type,
    int process,
    String f,
    long time,
    List<Msg> writes,
    List<Msg> reads,
    @Nullable String group,
    List<Msg> commits,
    long commitTime,
    @Nullable String error) {

  /** The kind of history entry. */
  public enum Type {
    invoke,
    ok,
    fail,
    info
  }

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    writes = writes == null ? List.of() : List.copyOf(writes);
    reads = reads == null ? List.of() : List.copyOf(reads);
    commits = commits == null ? List.of() : List.copyOf(commits);
  }

  public boolean isInvoke() {
    return type == Type.invoke;
  }

  public Op withIndex(long newIndex) {
    return new Op(
        newIndex, type, process, f, time, writes, reads, group, commits, commitTime, error);
  }

  /** A builder-free way for tests and recorders to make entries; unset lists are empty. */
  public static Op of(Type type, int process, String f, long time) {
    return new Op(0, type, process, f, time, List.of(), List.of(), null, List.of(), -1, null);
  }

  public Op writes(List<Msg> newWrites) {
    return new Op(
        index, type, process, f, time, newWrites, reads, group, commits, commitTime, error);
  }

  public Op reads(List<Msg> newReads) {
    return new Op(
        index, type, process, f, time, writes, newReads, group, commits, commitTime, error);
  }

  public Op group(String newGroup) {
    return new Op(
        index, type, process, f, time, writes, reads, newGroup, commits, commitTime, error);
  }

  public Op commits(List<Msg> newCommits) {
    return new Op(
        index, type, process, f, time, writes, reads, group, newCommits, commitTime, error);
  }

  public Op commitTime(long newCommitTime) {
    return new Op(
        index, type, process, f, time, writes, reads, group, commits, newCommitTime, error);
  }

  public Op error(String newError) {
    return new Op(
        index, type, process, f, time, writes, reads, group, commits, commitTime, newError);
  }
}
