package dev.baton;

import java.time.Duration;

/**
 * What operators and tools may see and do with a circuit breaker: its state, its counts, and the two manual
 * overrides. Implementations are thread-safe.
 */
public interface CircuitBreakerView {

    /** @return the breaker's name (for an engine's breaker, the service's name) */
    String name();

    /** @return the current state */
    CircuitBreakerState state();

    /** @return a snapshot of the current counts */
    CircuitBreakerMetrics metrics();

    /** Closes the breaker with an empty window and clears the not-permitted count. */
    void reset();

    /** Opens the breaker until the next {@link #reset()}: it does not move to half-open on its own. */
    void forceOpen();

    /**
     * @return how long the breaker stays open before it admits trial calls; zero when it is not open or the wait has
     * passed. When forced open, the configured wait in open, as a hint of when to look again.
     */
    Duration remainingOpenTime();
}
