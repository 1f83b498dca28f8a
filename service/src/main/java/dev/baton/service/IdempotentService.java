package dev.baton.service;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a {@link ServiceHandler} so that each execution id is executed at most once while its result is retained:
 * <ul>
 *   <li>a duplicate arriving after the first completed gets the stored result, without running the handler;</li>
 *   <li>a duplicate arriving while the first is running waits for it and gets the same outcome;</li>
 *   <li>results are kept for the retention window (default 24 h) in memory (Caffeine) or in a {@link ResultStore}.</li>
 * </ul>
 * <b>Failures are not cached.</b> A failed execution leaves nothing behind: the duplicates that were waiting for it
 * see the same failure, and the next attempt runs the handler again. Caching a failure would turn a transient error
 * into a permanent one for the whole retention window, and the orchestrator only retries when another attempt may
 * help. Handlers whose failures have partial effects must make those effects idempotent themselves.
 *
 * <p>Thread-safe. Build with {@link #builder(ServiceHandler)}.
 */
public final class IdempotentService {

    private final ServiceHandler handler;
    private final ResultStore store;
    private final Duration retention;
    private final Map<String, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong executions = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong storeFailures = new AtomicLong();

    private IdempotentService(Builder b) {
        this.handler = b.handler;
        this.retention = b.retention;
        this.store = b.store != null ? b.store : new CaffeineResultStore(b.retention, b.clock, b.maxEntries);
    }

    /**
     * @param handler the service's work
     * @return a new builder
     */
    public static Builder builder(ServiceHandler handler) {
        return new Builder(handler);
    }

    /**
     * Runs the request's execution once, or returns the result of the run that already happened or is happening.
     *
     * @param request the attempt
     * @return the output
     * @throws ServiceException as the handler threw it, or wrapping another failure (retryable)
     */
    public Object execute(ServiceRequest request) {
        String id = request.executionId();
        var stored = lookup(id);
        if (stored.isPresent()) {
            duplicates.incrementAndGet();
            return stored.get().output();
        }
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> running = inFlight.putIfAbsent(id, mine);
        if (running != null) {
            duplicates.incrementAndGet();
            return await(running);
        }
        try {
            // the first run may have finished between the store check and putIfAbsent
            stored = lookup(id);
            if (stored.isPresent()) {
                duplicates.incrementAndGet();
                mine.complete(stored.get().output());
                return stored.get().output();
            }
            executions.incrementAndGet();
            Object output = handler.handle(request);
            // stored before the in-flight entry goes, so a later duplicate always sees one of them
            keep(id, output);
            mine.complete(output);
            return output;
        } catch (Throwable t) {
            // whatever escapes, the duplicates waiting on this run get the same outcome instead of waiting forever
            mine.completeExceptionally(t);
            if (t instanceof InterruptedException) {
                // the handler was interrupted (a server closing): the thread stays interrupted for its owner
                Thread.currentThread().interrupt();
            }
            throw wrap(t);
        } finally {
            inFlight.remove(id, mine);
        }
    }

    private Optional<ResultStore.StoredResult> lookup(String id) {
        try {
            return store.get(id);
        } catch (RuntimeException e) {
            ServiceException s = new ServiceException("the result store failed: " + e.getClass().getName(), true);
            s.initCause(e);
            throw s;
        }
    }

    /**
     * A store that cannot keep the result does not fail the execution: its effects happened, and failing it would
     * make the caller retry and run them again. The result is then not retained for later duplicates.
     */
    private void keep(String id, Object output) {
        try {
            store.put(id, new ResultStore.StoredResult(output), retention);
        } catch (RuntimeException notKept) {
            storeFailures.incrementAndGet();
        }
    }

    /** @return how many times the handler has been called */
    public long executions() {
        return executions.get();
    }

    /** @return how many requests were answered without calling the handler */
    public long duplicates() {
        return duplicates.get();
    }

    /** @return how many results the store failed to keep (their executions still answered with the output) */
    public long storeFailures() {
        return storeFailures.get();
    }

    /** Waits for the run in flight; an interrupted waiter (a server shutting down) stops waiting. */
    private static Object await(CompletableFuture<Object> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException("interrupted while waiting for the same execution in flight", true);
        } catch (ExecutionException e) {
            throw wrap(e.getCause());
        }
    }

    private static RuntimeException wrap(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ServiceException s) {
            return s;
        }
        if (t instanceof Error e) {
            throw e;
        }
        ServiceException s = new ServiceException("the service failed: " + t.getClass().getName(), true);
        s.initCause(t);
        return s;
    }

    @Override
    public String toString() {
        return "IdempotentService[retention=" + retention + ", executions=" + executions + ", duplicates="
                + duplicates + ", storeFailures=" + storeFailures + "]";
    }

    /**
     * Builds an {@link IdempotentService}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private final ServiceHandler handler;
        private Duration retention = Duration.ofHours(24);
        private Clock clock = Clock.systemUTC();
        private ResultStore store;
        private long maxEntries = 1_000_000;

        private Builder(ServiceHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * @param retention how long a result is kept; positive; default 24 h
         * @return this builder
         */
        public Builder retention(Duration retention) {
            Objects.requireNonNull(retention, "retention");
            if (retention.isZero() || retention.isNegative()) {
                throw new IllegalArgumentException("retention must be positive, was " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * @param clock the time the in-memory store expires entries by ({@code ManualTime} in tests); default the
         *              system UTC clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param entries the most results the in-memory store keeps (Caffeine's size eviction chooses which go, by
         *                recency and frequency; an evicted result's execution runs again); default 1,000,000
         * @return this builder
         */
        public Builder maxEntries(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("maxEntries must be positive, was " + entries);
            }
            this.maxEntries = entries;
            return this;
        }

        /**
         * @param store keeps results instead of the in-memory default
         * @return this builder
         */
        public Builder store(ResultStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** @return the service */
        public IdempotentService build() {
            return new IdempotentService(this);
        }
    }
}
