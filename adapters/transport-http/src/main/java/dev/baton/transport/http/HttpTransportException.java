package dev.baton.transport.http;

import dev.baton.BatonException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failed HTTP task attempt, with an explicit verdict on whether another attempt may help and, when the service
 * asked for one, how long to wait first. The message never contains a credential: text the service sent back is
 * redacted before it is put here. The transport's stage completes with the core's {@code RetryableException} or
 * {@code NonRetryableException} (the engine's contract) and this exception as its cause; find it with
 * {@link HttpTransport#details(Throwable)}.
 *
 * <p>Stable codes: {@link #UNAVAILABLE} (408, 429, 5xx; retryable), {@link #REJECTED} (other non-2xx; not retryable),
 * {@link #CONNECT_FAILED} (retryable), {@link #TIMEOUT} (retryable), {@link #RESPONSE_TOO_LARGE} (not retryable),
 * {@link #INVALID_RESPONSE} (not retryable), {@link #CREDENTIAL_MISSING} (not retryable),
 * {@link #CREDENTIAL_INVALID} (not retryable), {@link #INVALID_REQUEST} (not retryable), {@link #NO_ENDPOINT} (not
 * retryable).
 */
public class HttpTransportException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** Code: the service answered 408, 429 or 5xx. Retryable. */
    public static final String UNAVAILABLE = "HTTP_UNAVAILABLE";
    /** Code: the service answered another non-2xx status. Not retryable. */
    public static final String REJECTED = "HTTP_REJECTED";
    /** Code: the connection could not be made or broke before a response. Retryable. */
    public static final String CONNECT_FAILED = "HTTP_CONNECT_FAILED";
    /** Code: no response within the request timeout or the attempt's deadline. Retryable. */
    public static final String TIMEOUT = "HTTP_TIMEOUT";
    /** Code: the response body exceeded the configured limit. Not retryable. */
    public static final String RESPONSE_TOO_LARGE = "HTTP_RESPONSE_TOO_LARGE";
    /** Code: a 2xx body that is not JSON. Not retryable. */
    public static final String INVALID_RESPONSE = "HTTP_INVALID_RESPONSE";
    /** Code: the environment variable named for the service's credential is not set. Not retryable. */
    public static final String CREDENTIAL_MISSING = "HTTP_CREDENTIAL_MISSING";
    /**
     * Code: the credential holds a character a bearer token cannot carry in a header (anything but visible ASCII: a
     * trailing newline, say). Not retryable; nothing is sent.
     */
    public static final String CREDENTIAL_INVALID = "HTTP_CREDENTIAL_INVALID";
    /** Code: the HTTP client refuses to build the request (a header value it cannot send, say). Not retryable. */
    public static final String INVALID_REQUEST = "HTTP_INVALID_REQUEST";
    /** Code: no URL is known for the service. Not retryable. */
    public static final String NO_ENDPOINT = "HTTP_NO_ENDPOINT";

    /** The service that was called. */
    private final String service;
    /** Whether another attempt may help. */
    private final boolean retryable;
    /** The delay the service asked for ({@code Retry-After}), or {@code null}. */
    private final Duration retryAfter;
    /** The HTTP status, or 0 when there was no response. */
    private final int status;

    /**
     * @param code       a stable code, one of the constants of this class
     * @param service    the service called
     * @param message    what went wrong; must already be free of secrets
     * @param retryable  whether another attempt may help
     * @param retryAfter the delay the service asked for, or {@code null}
     * @param status     the HTTP status, or 0 when there was no response
     * @param cause      the underlying cause, or {@code null}; must not carry secrets in its message
     */
    public HttpTransportException(String code, String service, String message, boolean retryable,
                                  Duration retryAfter, int status, Throwable cause) {
        super(code, message, cause);
        this.service = Objects.requireNonNull(service, "service");
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.status = status;
    }

    /** @return the service that was called */
    public String service() {
        return service;
    }

    /** @return whether another attempt may help */
    public boolean retryable() {
        return retryable;
    }

    /** @return the delay the service asked for ({@code Retry-After}), if any */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** @return the HTTP status of the response, if there was one */
    public OptionalInt status() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }
}
