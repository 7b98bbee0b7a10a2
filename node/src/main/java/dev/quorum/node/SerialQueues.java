package dev.quorum.node;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs the operations on one key (a group, a transactional id) one after another, each starting
 * when the previous one's future completed, so a coordinator never computes two changes of one key
 * from the same stored state. Different keys run concurrently.
 */
final class SerialQueues {
  private final Map<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();
  private final Executor executor;

  SerialQueues(Executor executor) {
    this.executor = executor;
  }

  <T> CompletableFuture<T> run(String key, Supplier<CompletableFuture<T>> operation) {
    @SuppressWarnings("unchecked")
    CompletableFuture<T> next =
        (CompletableFuture<T>)
            tails.compute(
                key,
                (k, tail) ->
                    (tail == null ? CompletableFuture.completedFuture(null) : tail)
                        .handle((v, e) -> null)
                        .thenComposeAsync(v -> operation.get(), executor));
    // Registered outside compute: a callback that runs at once must not touch the map inside it.
    // The caller gets its own future, so a caller's timeout cannot end the queue's tail early.
    CompletableFuture<T> result = new CompletableFuture<>();
    next.whenComplete(
        (value, failure) -> {
          // The last operation of an idle key leaves nothing behind.
          tails.remove(key, next);
          if (failure != null) {
            result.completeExceptionally(failure);
          } else {
            result.complete(value);
          }
        });
    return result;
  }

  /** Whether an operation on the key is queued or running. */
  boolean busy(String key) {
    return tails.containsKey(key);
  }
}
