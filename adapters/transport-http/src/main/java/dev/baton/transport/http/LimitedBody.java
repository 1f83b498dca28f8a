package dev.baton.transport.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A body subscriber that counts bytes as they stream in. Past {@code limit} it either fails (cancelling the
 * subscription, so the rest is never read) or, in truncating mode, keeps the first {@code limit} bytes and stops.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** Thrown inside the body stage when the limit is exceeded. */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long limit;

        TooLarge(long limit) {
            super("response body exceeds " + limit + " bytes", null, false, false);
            this.limit = limit;
        }
    }

    private final long limit;
    private final boolean truncate;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private long count;
    private boolean done;

    LimitedBody(long limit, boolean truncate) {
        this.limit = limit;
        this.truncate = truncate;
    }

    /** A handler that fails fast on a declared Content-Length over the limit too. */
    static HttpResponse.BodyHandler<byte[]> handler(long limit, long errorLimit) {
        return info -> {
            boolean success = info.statusCode() / 100 == 2;
            long max = success ? limit : errorLimit;
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
            if (success && declared > max) {
                return new Rejected(max);
            }
            return new LimitedBody(max, !success);
        };
    }

    /** A handler that keeps at most {@code limit} bytes of any body and never fails on its size. */
    static HttpResponse.BodyHandler<byte[]> truncating(long limit) {
        return info -> new LimitedBody(limit, true);
    }

    /**
     * Bounds a whole exchange, body included: the JDK client's request timeout ends once the response's headers are
     * in, so a body that trickles (or never ends within the size limit) would otherwise hold the call for ever.
     *
     * @param call    the exchange, as {@code sendAsync} returned it
     * @param timeout how long the whole response may take
     * @return a future completing as {@code call} does, or with an {@link HttpTimeoutException} once the timeout has
     *     passed, the exchange then being cancelled (which aborts it); the timer is dropped when the call completes
     */
    static <T> CompletableFuture<T> within(CompletableFuture<T> call, Duration timeout) {
        CompletableFuture<T> bounded = new CompletableFuture<>();
        CompletableFuture<Void> timer = new CompletableFuture<Void>()
                .orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        timer.whenComplete((v, e) -> {
            if (e != null && bounded.completeExceptionally(
                    new HttpTimeoutException("the whole response did not arrive within " + timeout))) {
                call.cancel(true);
            }
        });
        call.whenComplete((v, e) -> {
            timer.complete(null); // cancels the pending timeout
            if (e == null) {
                bounded.complete(v);
            } else {
                bounded.completeExceptionally(e);
            }
        });
        return bounded;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public synchronized void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> items) {
        if (done) {
            return;
        }
        for (ByteBuffer b : items) {
            int n = b.remaining();
            if (count + n > limit) {
                done = true;
                subscription.cancel();
                if (truncate) {
                    int keep = (int) (limit - count);
                    byte[] part = new byte[keep];
                    b.get(part);
                    buffer.write(part, 0, keep);
                    result.complete(buffer.toByteArray());
                } else {
                    result.completeExceptionally(new TooLarge(limit));
                }
                return;
            }
            count += n;
            byte[] chunk = new byte[n];
            b.get(chunk);
            buffer.write(chunk, 0, n);
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        if (!done) {
            done = true;
            result.completeExceptionally(t);
        }
    }

    @Override
    public synchronized void onComplete() {
        if (!done) {
            done = true;
            result.complete(buffer.toByteArray());
        }
    }

    /** Refuses a body whose declared length is already over the limit, without reading it. */
    private static final class Rejected implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long limit;

        Rejected(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.cancel();
            result.completeExceptionally(new TooLarge(limit));
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(new TooLarge(limit));
        }

        @Override
        public void onComplete() {
            result.completeExceptionally(new TooLarge(limit));
        }
    }
}
