package dev.baton;

import java.time.Instant;
import java.util.Objects;

/**
 * One state change of a {@link CircuitBreaker}, given to its listeners after the change took effect.
 *
 * @param breakerName the breaker's name
 * @param from        the state before
 * @param to          the state after
 * @param at          when, by the breaker's clock
 */
public record CircuitBreakerTransition(String breakerName, CircuitBreakerState from, CircuitBreakerState to,
                                       Instant at) {
    /**
     * Checks the values.
     *
     * @param breakerName see the record component
     * @param from see the record component
     * @param to see the record component
     * @param at see the record component
     */
    public CircuitBreakerTransition {
        Objects.requireNonNull(breakerName, "breakerName");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
    }
}
