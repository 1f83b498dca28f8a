package dev.baton.service;

import dev.baton.BatonException;

/**
 * A failure a service reports on purpose. The HTTP binding answers {@code 503} when it is retryable and {@code 422}
 * when it is not; its message becomes the error body, so it must not carry secrets. Code {@code SERVICE_FAILED}.
 */
public class ServiceException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** Whether another attempt may help. */
    private final boolean retryable;

    /**
     * @param message   what went wrong
     * @param retryable whether another attempt may help
     */
    public ServiceException(String message, boolean retryable) {
        super("SERVICE_FAILED", message);
        this.retryable = retryable;
    }

    /** @return whether another attempt may help */
    public boolean retryable() {
        return retryable;
    }
}
