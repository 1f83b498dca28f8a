package dev.baton;

import dev.baton.internal.Saturating;
import dev.baton.internal.resilience.OutcomeCounts;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock-free circuit breaker with a count-based sliding window, configured by a {@link CircuitBreakerConfig}.
 *
 * <p><b>States.</b> {@code CLOSED}: calls pass and fill the window; once it holds the minimum calls and the failure
 * rate (or slow-call rate) reaches its threshold, the breaker opens. {@code OPEN}: calls are rejected; the first
 * permission request after the wait in open (by the injected {@link Clock}) moves it to {@code HALF_OPEN}, which
 * admits exactly {@code permittedCallsInHalfOpen} trial calls and rejects the rest. When every trial is recorded, the
 * breaker closes with an empty window if the trial failure rate (and slow-call rate) is below its threshold, and
 * reopens otherwise.
 *
 * <p><b>Two ways to use it.</b> Wrap a call with {@link #call(Supplier)} / {@link #callChecked(Callable)}, or, for
 * asynchronous calls, drive it by hand: {@link #tryAcquirePermission()}, then exactly one of
 * {@link #onSuccess(Duration)}, {@link #onError(Duration, Throwable)} or {@link #releasePermission()} for each
 * permission granted.
 *
 * <p><b>Concurrency.</b> Thread-safe and lock-free: the state is one atomic reference to an immutable per-state
 * object, every transition is a compare-and-set (so under any contention exactly one thread performs it), and
 * listeners are called by the winning thread after the transition took effect. Outcomes recorded while the breaker
 * is open (calls that were already running) are kept in the window that tripped it but decide nothing.
 */
public final class CircuitBreaker implements CircuitBreakerView {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final String name;
    private final CircuitBreakerConfig config;
    private final Clock clock;
    private final int minimumCalls;
    private final int trialCalls;
    private final long waitInOpenMillis;
    private final boolean trackSlow;
    private final long slowNanos;
    private final double failureThreshold;
    private final double slowThreshold;
    private final AtomicReference<State> state;
    private final LongAdder notPermitted = new LongAdder();
    private final CopyOnWriteArrayList<Consumer<? super CircuitBreakerTransition>> listeners =
            new CopyOnWriteArrayList<>();

    private CircuitBreaker(String name, CircuitBreakerConfig config, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.minimumCalls = Math.min(config.minimumCalls(), config.slidingWindowSize());
        this.trialCalls = config.permittedCallsInHalfOpen();
        this.waitInOpenMillis = Saturating.millis(config.waitInOpen());
        this.trackSlow = config.slowCallThreshold().isPresent();
        this.slowNanos = config.slowCallThreshold().map(Saturating::nanos).orElse(Long.MAX_VALUE);
        this.failureThreshold = config.failureRateThreshold();
        this.slowThreshold = config.slowCallRateThreshold();
        this.state = new AtomicReference<>(new Closed(config.slidingWindowSize()));
    }

    /**
     * @param config the configuration
     * @return a closed breaker named {@code "default"} on the system UTC clock
     */
    public static CircuitBreaker of(CircuitBreakerConfig config) {
        return new CircuitBreaker("default", config, Clock.systemUTC());
    }

    /**
     * @param name   the breaker's name, used in rejections and events (an engine uses the service name)
     * @param config the configuration
     * @param clock  the clock that times the wait in open and stamps events (inject a mutable one in tests)
     * @return a closed breaker
     */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config, Clock clock) {
        return new CircuitBreaker(name, config, clock);
    }

    /**
     * Runs the supplier if the breaker permits it and records its outcome; any exception it throws counts as a
     * failure and is rethrown. Slow calls are timed with {@link System#nanoTime()}.
     *
     * @param supplier the call
     * @param <T>      its result type
     * @return its result
     * @throws CallNotPermittedException if the breaker rejects the call (the supplier does not run)
     */
    public <T> T call(Supplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        if (!tryAcquirePermission()) {
            throw rejection();
        }
        long start = trackSlow ? System.nanoTime() : 0L;
        T result;
        try {
            result = supplier.get();
        } catch (Throwable t) {
            record(outcome(true, start));
            throw t;
        }
        record(outcome(false, start));
        return result;
    }

    /**
     * Like {@link #call(Supplier)} for a call that may throw a checked exception.
     *
     * @param callable the call
     * @param <T>      its result type
     * @return its result
     * @throws CallNotPermittedException if the breaker rejects the call (the callable does not run)
     * @throws Exception                 whatever the callable throws, after it is recorded as a failure
     */
    public <T> T callChecked(Callable<T> callable) throws Exception {
        Objects.requireNonNull(callable, "callable");
        if (!tryAcquirePermission()) {
            throw rejection();
        }
        long start = trackSlow ? System.nanoTime() : 0L;
        T result;
        try {
            result = callable.call();
        } catch (Throwable t) {
            record(outcome(true, start));
            throw t;
        }
        record(outcome(false, start));
        return result;
    }

    private CallNotPermittedException rejection() {
        return new CallNotPermittedException(name, state.get().kind);
    }

    private int outcome(boolean failed, long start) {
        boolean slow = trackSlow && System.nanoTime() - start > slowNanos;
        return slow ? (failed ? OutcomeCounts.SLOW_FAILURE : OutcomeCounts.SLOW_SUCCESS)
                : (failed ? OutcomeCounts.FAILURE : OutcomeCounts.SUCCESS);
    }

    /**
     * Asks to make one call. In {@code CLOSED} always granted; in {@code OPEN} refused until the wait in open has
     * passed, when this request moves the breaker to {@code HALF_OPEN}; in {@code HALF_OPEN} granted to exactly
     * {@code permittedCallsInHalfOpen} requests. A refusal counts as a not-permitted call. Every grant must be
     * followed by exactly one of {@link #onSuccess}, {@link #onError} or {@link #releasePermission()}.
     *
     * @return whether the call may proceed
     */
    public boolean tryAcquirePermission() {
        State s = state.get();
        if (s instanceof Closed) {
            return true; // the hot path: one volatile read
        }
        return acquireContended(s);
    }

    private boolean acquireContended(State s) {
        while (true) {
            if (s instanceof Closed) {
                return true;
            }
            if (s instanceof HalfOpen h) {
                if (h.tryTakePermit()) {
                    return true;
                }
                notPermitted.increment();
                return false;
            }
            Open o = (Open) s;
            if (o.forced || clock.millis() < o.openUntilMillis) {
                notPermitted.increment();
                return false;
            }
            transition(o, new HalfOpen(trialCalls)); // whoever wins, look again at the new state
            s = state.get();
        }
    }

    /**
     * Records a permitted call that succeeded.
     *
     * @param elapsed how long it took (compared with the slow-call threshold)
     */
    public void onSuccess(Duration elapsed) {
        record(trackSlow && Saturating.nanos(elapsed) > slowNanos ? OutcomeCounts.SLOW_SUCCESS : OutcomeCounts.SUCCESS);
    }

    /**
     * Records a permitted call that failed.
     *
     * @param elapsed how long it took (compared with the slow-call threshold)
     * @param failure what it failed with (every failure counts; it is not inspected)
     */
    public void onError(Duration elapsed, Throwable failure) {
        record(trackSlow && Saturating.nanos(elapsed) > slowNanos ? OutcomeCounts.SLOW_FAILURE : OutcomeCounts.FAILURE);
    }

    /**
     * Gives back a permission for a call that never ran (cancelled before it started, say): nothing is recorded and,
     * in {@code HALF_OPEN}, the trial permit can be granted again.
     */
    public void releasePermission() {
        if (state.get() instanceof HalfOpen h) {
            h.permits.incrementAndGet();
        }
    }

    private void record(int outcome) {
        State s = state.get();
        if (s instanceof Closed c) {
            long packed = c.window.record(outcome);
            if (packed != OutcomeCounts.UNCHANGED && OutcomeCounts.buffered(packed) >= minimumCalls
                    && exceedsThresholds(packed)) {
                transition(c, new Open(Saturating.add(clock.millis(), waitInOpenMillis), c.window, false));
            }
        } else if (s instanceof HalfOpen h) {
            long packed = h.tally.record(outcome);
            // exactly one recorder sees the count reach the number of trials, and it alone decides
            if (OutcomeCounts.buffered(packed) == trialCalls) {
                transition(h, exceedsThresholds(packed)
                        ? new Open(Saturating.add(clock.millis(), waitInOpenMillis), h.tally, false)
                        : new Closed(config.slidingWindowSize()));
            }
        } else {
            ((Open) s).counts.record(outcome); // a call that was already running: kept, decides nothing
        }
    }

    private boolean exceedsThresholds(long packed) {
        double buffered = OutcomeCounts.buffered(packed);
        if (buffered == 0) {
            return false;
        }
        return OutcomeCounts.failed(packed) * 100.0 / buffered >= failureThreshold
                || (trackSlow && OutcomeCounts.slow(packed) * 100.0 / buffered >= slowThreshold);
    }

    private void transition(State from, State to) {
        if (state.compareAndSet(from, to)) {
            fire(from.kind, to.kind);
        }
    }

    private void fire(CircuitBreakerState from, CircuitBreakerState to) {
        if (listeners.isEmpty()) {
            return;
        }
        CircuitBreakerTransition event = new CircuitBreakerTransition(name, from, to, clock.instant());
        for (Consumer<? super CircuitBreakerTransition> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException | Error e) {
                // a broken listener must not break the breaker or the other listeners
                LOG.warn("circuit breaker '{}': a transition listener failed on {} -> {}", name, from, to, e);
            }
        }
    }

    /**
     * Adds a listener called, by the thread that made it, after each state change (including those made by
     * {@link #reset()} and {@link #forceOpen()}). Listeners should be quick and must be thread-safe.
     *
     * @param listener the listener
     */
    public void onStateTransition(Consumer<? super CircuitBreakerTransition> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the configuration */
    public CircuitBreakerConfig config() {
        return config;
    }

    /**
     * {@inheritDoc} An open breaker whose wait has passed still reports {@code OPEN} until the next permission
     * request moves it to {@code HALF_OPEN}.
     */
    @Override
    public CircuitBreakerState state() {
        return state.get().kind;
    }

    @Override
    public CircuitBreakerMetrics metrics() {
        long packed = state.get().counts().snapshot();
        int buffered = OutcomeCounts.buffered(packed);
        int failed = OutcomeCounts.failed(packed);
        int slow = OutcomeCounts.slow(packed);
        return new CircuitBreakerMetrics(buffered == 0 ? 0.0 : failed * 100.0 / buffered,
                buffered == 0 ? 0.0 : slow * 100.0 / buffered, buffered, failed, slow, notPermitted.sum());
    }

    @Override
    public void reset() {
        State old = state.getAndSet(new Closed(config.slidingWindowSize()));
        notPermitted.reset();
        if (old.kind != CircuitBreakerState.CLOSED) {
            fire(old.kind, CircuitBreakerState.CLOSED);
        }
    }

    @Override
    public void forceOpen() {
        State old = state.getAndSet(new Open(Long.MAX_VALUE, OutcomeCounts.tally(), true));
        if (old.kind != CircuitBreakerState.OPEN) {
            fire(old.kind, CircuitBreakerState.OPEN);
        }
    }

    @Override
    public Duration remainingOpenTime() {
        if (state.get() instanceof Open o) {
            if (o.forced) {
                return config.waitInOpen();
            }
            return Duration.ofMillis(Math.max(0L, o.openUntilMillis - clock.millis()));
        }
        return Duration.ZERO;
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state() + "]";
    }

    /** An immutable per-state object; the counts it refers to are lock-free and mutable. */
    private abstract static sealed class State permits Closed, Open, HalfOpen {
        final CircuitBreakerState kind;

        State(CircuitBreakerState kind) {
            this.kind = kind;
        }

        abstract OutcomeCounts counts();
    }

    private static final class Closed extends State {
        final OutcomeCounts window;

        Closed(int size) {
            super(CircuitBreakerState.CLOSED);
            this.window = OutcomeCounts.window(size);
        }

        @Override
        OutcomeCounts counts() {
            return window;
        }
    }

    private static final class Open extends State {
        final long openUntilMillis;
        final OutcomeCounts counts;
        final boolean forced;

        Open(long openUntilMillis, OutcomeCounts counts, boolean forced) {
            super(CircuitBreakerState.OPEN);
            this.openUntilMillis = openUntilMillis;
            this.counts = counts;
            this.forced = forced;
        }

        @Override
        OutcomeCounts counts() {
            return counts;
        }
    }

    private static final class HalfOpen extends State {
        final AtomicInteger permits;
        final OutcomeCounts tally = OutcomeCounts.tally();

        HalfOpen(int trials) {
            super(CircuitBreakerState.HALF_OPEN);
            this.permits = new AtomicInteger(trials);
        }

        boolean tryTakePermit() {
            int p;
            while ((p = permits.get()) > 0) {
                if (permits.compareAndSet(p, p - 1)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        OutcomeCounts counts() {
            return tally;
        }
    }
}
