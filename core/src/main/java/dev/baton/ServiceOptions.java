package dev.baton;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-service settings: attempt timeout, capacity (the number of tasks of this service that may run at once; the
 * rest wait in a FIFO queue), retry policy and circuit breaker. Unset values fall back to the orchestrator's
 * defaults.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class ServiceOptions {

    private static final ServiceOptions DEFAULTS = new Builder().build();

    private final Duration timeout;
    private final int capacity;
    private final RetryPolicy retryPolicy;
    private final CircuitBreakerConfig circuitBreaker;

    private ServiceOptions(Builder b) {
        this.timeout = b.timeout;
        this.capacity = b.capacity;
        this.retryPolicy = b.retryPolicy;
        this.circuitBreaker = b.circuitBreaker;
    }

    /** @return options with every value unset */
    public static ServiceOptions defaults() {
        return DEFAULTS;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the attempt timeout, if set */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return the capacity: how many tasks of this service may run at once; 0 means unlimited */
    public int capacity() {
        return capacity;
    }

    /** @return the service's retry policy, if it overrides the orchestrator's */
    public Optional<RetryPolicy> retryPolicy() {
        return Optional.ofNullable(retryPolicy);
    }

    /** @return the service's circuit breaker settings, if they override the orchestrator's */
    public Optional<CircuitBreakerConfig> circuitBreaker() {
        return Optional.ofNullable(circuitBreaker);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceOptions s && Objects.equals(timeout, s.timeout) && capacity == s.capacity
                && Objects.equals(retryPolicy, s.retryPolicy) && Objects.equals(circuitBreaker, s.circuitBreaker);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, capacity, retryPolicy, circuitBreaker);
    }

    @Override
    public String toString() {
        return "ServiceOptions[timeout=" + timeout + ", capacity=" + capacity + ", retryPolicy=" + retryPolicy
                + ", circuitBreaker=" + circuitBreaker + "]";
    }

    /**
     * Builds {@link ServiceOptions}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private Duration timeout;
        private int capacity;
        private RetryPolicy retryPolicy;
        private CircuitBreakerConfig circuitBreaker;

        private Builder() {
        }

        /**
         * @param policy how this service's failed attempts are retried (overrides the orchestrator's default)
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /**
         * @param config this service's circuit breaker (overrides the orchestrator's default)
         * @return this builder
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            this.circuitBreaker = Objects.requireNonNull(config, "circuitBreaker");
            return this;
        }

        /**
         * @param timeout how long one attempt may take; positive
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param capacity how many tasks of this service may run at once; at least 1
         * @return this builder
         */
        public Builder capacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /** @return the options */
        public ServiceOptions build() {
            return new ServiceOptions(this);
        }
    }
}
