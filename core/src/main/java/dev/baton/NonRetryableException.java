package dev.baton;

/**
 * Thrown by a handler to say the failure is permanent: the engine fails the attempt at once and never retries it,
 * whatever the retry policy says (code {@code NON_RETRYABLE}).
 */
public class NonRetryableException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, for a person */
    public NonRetryableException(String message) {
        super("NON_RETRYABLE", message);
    }

    /**
     * @param message what went wrong, for a person
     * @param cause   the underlying cause
     */
    public NonRetryableException(String message, Throwable cause) {
        super("NON_RETRYABLE", message, cause);
    }
}
