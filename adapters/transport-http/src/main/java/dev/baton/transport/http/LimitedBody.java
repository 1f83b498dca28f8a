package dev.baton.transport.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

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
