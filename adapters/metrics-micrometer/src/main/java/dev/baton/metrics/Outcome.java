package dev.baton.metrics;

import dev.baton.event.ErrorInfo;

/** How a task attempt ended: the values of the {@code outcome} tag of the attempt meters. A fixed, small set. */
enum Outcome {
    /** The attempt produced an output. */
    COMPLETED,
    /** The attempt failed for any reason not below (handler errors, invalid outputs, unresolved references, ...). */
    FAILED,
    /** The attempt ran out of time: its own timeout ({@code TIMEOUT}) or its run's ({@code RUN_TIMEOUT}). */
    TIMEOUT,
    /** The service's circuit breaker refused the call ({@code CIRCUIT_OPEN}); the service was not called. */
    CIRCUIT_OPEN,
    /** The attempt was cancelled with its run, or its handler's stage was cancelled. */
    CANCELLED;

    /** How many there are: the size of the per-outcome meter arrays. */
    static final int COUNT = values().length;

    /**
     * The outcome of a failed attempt, from its error's code alone (never from its message).
     *
     * @param error the recorded error, or null
     * @return the outcome
     */
    static Outcome ofFailure(ErrorInfo error) {
        if (error == null) {
            return FAILED;
        }
        switch (error.code()) {
            case "TIMEOUT":
            case "RUN_TIMEOUT":
                return TIMEOUT;
            case "CIRCUIT_OPEN":
                return CIRCUIT_OPEN;
            case "CANCELLED":
                return CANCELLED;
            default:
                return FAILED;
        }
    }
}
