package dev.baton;

/**
 * Thrown when a {@link CircuitBreaker} rejects a call (code {@code CIRCUIT_OPEN}). Cheap to create: it carries no
 * stack trace, because a rejecting breaker may throw it at a high rate.
 */
public class CallNotPermittedException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** The breaker that rejected the call. */
    private final String breakerName;
    /** The breaker's state when it rejected the call. */
    private final CircuitBreakerState state;

    /**
     * @param breakerName the breaker that rejected the call
     * @param state       its state when it did
     */
    public CallNotPermittedException(String breakerName, CircuitBreakerState state) {
        super("CIRCUIT_OPEN", "circuit breaker '" + breakerName + "' is " + state + " and does not permit the call");
        this.breakerName = breakerName;
        this.state = state;
    }

    /** @return the breaker that rejected the call */
    public String breakerName() {
        return breakerName;
    }

    /** @return the breaker's state when it rejected the call */
    public CircuitBreakerState state() {
        return state;
    }

    /** No stack trace: the rejection's location says nothing the breaker name does not. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
