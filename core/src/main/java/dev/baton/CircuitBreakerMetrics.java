package dev.baton;

/**
 * A snapshot of a {@link CircuitBreaker}'s counts. In {@code CLOSED} and {@code OPEN} the counts are those of the
 * sliding window (when open, the window that tripped it, plus calls that were already running); in
 * {@code HALF_OPEN} they are those of the trial calls recorded so far.
 *
 * @param failureRate       failed calls as a percentage of buffered calls, 0 when none are buffered
 * @param slowCallRate      slow calls as a percentage of buffered calls, 0 when none are buffered
 * @param bufferedCalls     the calls whose outcome is in the window
 * @param failedCalls       the buffered calls that failed
 * @param slowCalls         the buffered calls that were slow (failed or not)
 * @param notPermittedCalls calls rejected since the breaker was created or last reset
 */
public record CircuitBreakerMetrics(double failureRate, double slowCallRate, int bufferedCalls, int failedCalls,
                                    int slowCalls, long notPermittedCalls) {
}
