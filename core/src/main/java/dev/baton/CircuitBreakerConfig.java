package dev.baton;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link CircuitBreaker} decides: a count-based sliding window of the last {@code slidingWindowSize} calls,
 * evaluated once it holds {@code minimumCalls}; the breaker opens when the failure rate (or, if a slow-call threshold
 * is set, the slow-call rate) reaches its threshold, waits {@code waitInOpen}, then admits exactly
 * {@code permittedCallsInHalfOpen} trial calls whose outcomes decide between closing and reopening.
 *
 * <p>An immutable value, equal by value, built by {@link #builder()}; thread-safe. Defaults: window 100, minimum
 * calls 10, failure-rate threshold 50%, wait in open 30 s, 5 half-open trials, no slow-call threshold (slow-call rate
 * threshold 100% once one is set). When {@code minimumCalls} exceeds the window size, the window size is used.
 */
public final class CircuitBreakerConfig {

    /** The largest sliding window supported. */
    public static final int MAX_SLIDING_WINDOW_SIZE = 100_000;

    private static final CircuitBreakerConfig DEFAULTS = new Builder().build();

    private final int slidingWindowSize;
    private final int minimumCalls;
    private final double failureRateThreshold;
    private final Duration waitInOpen;
    private final int permittedCallsInHalfOpen;
    private final Duration slowCallThreshold;
    private final double slowCallRateThreshold;

    private CircuitBreakerConfig(Builder b) {
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumCalls = b.minimumCalls;
        this.failureRateThreshold = b.failureRateThreshold;
        this.waitInOpen = b.waitInOpen;
        this.permittedCallsInHalfOpen = b.permittedCallsInHalfOpen;
        this.slowCallThreshold = b.slowCallThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
    }

    /** @return a new builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default configuration (see the class comment) */
    public static CircuitBreakerConfig defaults() {
        return DEFAULTS;
    }

    /** @return how many of the latest calls the window holds */
    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    /** @return how many calls the window must hold before the rates are evaluated (as configured) */
    public int minimumCalls() {
        return minimumCalls;
    }

    /** @return the failure rate, in percent, at or above which the breaker opens */
    public double failureRateThreshold() {
        return failureRateThreshold;
    }

    /** @return how long the breaker stays open before it admits trial calls */
    public Duration waitInOpen() {
        return waitInOpen;
    }

    /** @return how many trial calls the half-open breaker admits */
    public int permittedCallsInHalfOpen() {
        return permittedCallsInHalfOpen;
    }

    /** @return the duration above which a call counts as slow, if slow calls are tracked */
    public Optional<Duration> slowCallThreshold() {
        return Optional.ofNullable(slowCallThreshold);
    }

    /** @return the slow-call rate, in percent, at or above which the breaker opens (when slow calls are tracked) */
    public double slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CircuitBreakerConfig c
                && slidingWindowSize == c.slidingWindowSize
                && minimumCalls == c.minimumCalls
                && Double.compare(failureRateThreshold, c.failureRateThreshold) == 0
                && waitInOpen.equals(c.waitInOpen)
                && permittedCallsInHalfOpen == c.permittedCallsInHalfOpen
                && Objects.equals(slowCallThreshold, c.slowCallThreshold)
                && Double.compare(slowCallRateThreshold, c.slowCallRateThreshold) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(slidingWindowSize, minimumCalls, failureRateThreshold, waitInOpen,
                permittedCallsInHalfOpen, slowCallThreshold, slowCallRateThreshold);
    }

    @Override
    public String toString() {
        return "CircuitBreakerConfig[slidingWindowSize=" + slidingWindowSize + ", minimumCalls=" + minimumCalls
                + ", failureRateThreshold=" + failureRateThreshold + ", waitInOpen=" + waitInOpen
                + ", permittedCallsInHalfOpen=" + permittedCallsInHalfOpen + ", slowCallThreshold="
                + slowCallThreshold + ", slowCallRateThreshold=" + slowCallRateThreshold + "]";
    }

    /**
     * Builds a {@link CircuitBreakerConfig}. Each setting is checked as it is made and the exception names it and
     * the value. Not thread-safe; {@link #build()} freezes the settings.
     */
    public static final class Builder {
        private int slidingWindowSize = 100;
        private int minimumCalls = 10;
        private double failureRateThreshold = 50.0;
        private Duration waitInOpen = Duration.ofSeconds(30);
        private int permittedCallsInHalfOpen = 5;
        private Duration slowCallThreshold;
        private double slowCallRateThreshold = 100.0;

        private Builder() {
        }

        /**
         * @param size how many of the latest calls the window holds; 1 to {@value CircuitBreakerConfig#MAX_SLIDING_WINDOW_SIZE}
         * @return this builder
         */
        public Builder slidingWindowSize(int size) {
            if (size < 1 || size > MAX_SLIDING_WINDOW_SIZE) {
                throw new IllegalArgumentException(
                        "slidingWindowSize must be between 1 and " + MAX_SLIDING_WINDOW_SIZE + ": " + size);
            }
            this.slidingWindowSize = size;
            return this;
        }

        /**
         * @param calls how many calls the window must hold before the rates are evaluated; at least 1 (capped at
         *              the window size when the breaker runs)
         * @return this builder
         */
        public Builder minimumCalls(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("minimumCalls must be at least 1: " + calls);
            }
            this.minimumCalls = calls;
            return this;
        }

        /**
         * @param percent the failure rate at or above which the breaker opens; above 0 and at most 100
         * @return this builder
         */
        public Builder failureRateThreshold(double percent) {
            this.failureRateThreshold = percent("failureRateThreshold", percent);
            return this;
        }

        /**
         * @param wait how long the breaker stays open before it admits trial calls; positive
         * @return this builder
         */
        public Builder waitInOpen(Duration wait) {
            Objects.requireNonNull(wait, "waitInOpen");
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("waitInOpen must be positive: " + wait);
            }
            this.waitInOpen = wait;
            return this;
        }

        /**
         * @param calls how many trial calls the half-open breaker admits; at least 1
         * @return this builder
         */
        public Builder permittedCallsInHalfOpen(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("permittedCallsInHalfOpen must be at least 1: " + calls);
            }
            this.permittedCallsInHalfOpen = calls;
            return this;
        }

        /**
         * @param threshold the duration above which a call counts as slow; positive. Enables slow-call tracking.
         * @return this builder
         */
        public Builder slowCallThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "slowCallThreshold");
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("slowCallThreshold must be positive: " + threshold);
            }
            this.slowCallThreshold = threshold;
            return this;
        }

        /**
         * @param percent the slow-call rate at or above which the breaker opens; above 0 and at most 100. Only
         *                used once a {@link #slowCallThreshold(Duration)} is set.
         * @return this builder
         */
        public Builder slowCallRateThreshold(double percent) {
            this.slowCallRateThreshold = percent("slowCallRateThreshold", percent);
            return this;
        }

        private static double percent(String setting, double percent) {
            if (!(percent > 0.0 && percent <= 100.0)) {
                throw new IllegalArgumentException(setting + " must be above 0 and at most 100: " + percent);
            }
            return percent;
        }

        /** @return the immutable configuration */
        public CircuitBreakerConfig build() {
            return new CircuitBreakerConfig(this);
        }
    }
}
