package dev.baton;

/** The state of a {@link CircuitBreaker}. */
public enum CircuitBreakerState {
    /** Calls pass and their outcomes fill the sliding window. */
    CLOSED,
    /** Calls are rejected until the wait in open has passed (or, when forced open, until a reset). */
    OPEN,
    /** A fixed number of trial calls pass; their outcomes decide between closing and reopening. */
    HALF_OPEN
}
