package dev.baton;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Thrown by a handler to say the failure is transient, optionally with the delay the service asked for (an HTTP 429's
 * {@code Retry-After}). The engine retries it within the retry policy's bounds (code {@code RETRYABLE}); see
 * {@link RetryPolicy#decide} for how the requested delay is clamped.
 */
public class RetryableException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** The delay the service asked for before the next attempt, or {@code null}. */
    private final Duration retryAfter;

    /** @param message what went wrong, for a person */
    public RetryableException(String message) {
        this(message, null, null);
    }

    /**
     * @param message    what went wrong, for a person
     * @param retryAfter the delay the service asked for before the next attempt; not negative
     */
    public RetryableException(String message, Duration retryAfter) {
        this(message, Objects.requireNonNull(retryAfter, "retryAfter"), null);
    }

    /**
     * @param message    what went wrong, for a person
     * @param retryAfter the delay the service asked for, or {@code null} if it asked for none; not negative
     * @param cause      the underlying cause, or {@code null}
     */
    public RetryableException(String message, Duration retryAfter, Throwable cause) {
        super("RETRYABLE", message, cause);
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /** @return the delay the service asked for before the next attempt, if it asked for one */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
