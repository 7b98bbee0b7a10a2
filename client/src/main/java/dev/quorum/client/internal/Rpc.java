package dev.quorum.client.internal;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;

/** Adapts gRPC's ListenableFuture. The returned future completes on a gRPC thread. */
final class Rpc {
  private Rpc() {}

  static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> listenable) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Futures.addCallback(
        listenable,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T result) {
            f.complete(result);
          }

          @Override
          public void onFailure(Throwable t) {
            f.completeExceptionally(t);
          }
        },
        MoreExecutors.directExecutor());
    return f;
  }
}
