package dev.quorum.statemachine;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Wakes long-polling readers when new records are applied, without parking a thread per reader.
 * Apply signals; each waiter re-checks its own condition. A waiter leaves the set as soon as its
 * future completes, including when the reader gives up and cancels it.
 */
final class AppendNotifier {
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

  CompletableFuture<Void> await(BooleanSupplier ready) {
    if (ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(null);
    }
    Waiter waiter = new Waiter(ready, new CompletableFuture<>());
    waiters.add(waiter);
    waiter.future().whenComplete((ignored, error) -> waiters.remove(waiter));
    // The condition may have become true between the first check and the registration.
    if (ready.getAsBoolean()) {
      waiter.future().complete(null);
    }
    return waiter.future();
  }

  void signal() {
    for (Waiter waiter : waiters) {
      if (waiter.ready().getAsBoolean()) {
        waiter.future().complete(null);
      }
    }
  }

  int waiting() {
    return waiters.size();
  }

  /** Identity semantics: two waiters with equal conditions are still two waiters. */
  private static final class Waiter {
    private final BooleanSupplier ready;
    private final CompletableFuture<Void> future;

    Waiter(BooleanSupplier ready, CompletableFuture<Void> future) {
      this.ready = ready;
      this.future = future;
    }

    BooleanSupplier ready() {
      return ready;
    }

    CompletableFuture<Void> future() {
      return future;
    }
  }
}
