package dev.baton.transport;

import java.util.concurrent.CompletionStage;

/**
 * Delivers task attempts to a service outside the process and completes with its output.
 *
 * <p>{@link #dispatch} must not block: it starts the call and returns a stage that completes with the output (plain
 * JSON values) or exceptionally. Throw or complete with {@code dev.baton.RetryableException} (optionally carrying the
 * delay the service asked for) or {@code dev.baton.NonRetryableException} to say whether another attempt may help;
 * other failures are treated as retryable. When the attempt times out or its run is cancelled, the engine cancels the
 * returned stage's future: a transport should abort the call then. Implementations must be thread-safe.
 *
 * <p>The engine also relies on these, which the contract kit ({@code baton-transport-tck}'s
 * {@code TaskTransportContractTest}) checks for every transport:
 * <ul>
 *   <li>the service receives every field of the request but the deadline (which bounds the call instead, and which
 *       a transport need not send), and the execution id as the key it dedupes on;</li>
 *   <li>an output comes back as plain JSON values equal to what the service sent (decimals not rounded);</li>
 *   <li>a service that cannot take the call now is a {@code RetryableException}, with the delay it asked for; one that
 *       refuses it, or answers with something that is not JSON, a {@code NonRetryableException} naming the reason;
 *       an unreachable service, and a request whose deadline has passed (which is not sent), are retryable;</li>
 *   <li>failure messages are bounded (16,384 characters at most) whatever the service sends;</li>
 *   <li>{@link #close} may be called more than once, and a dispatch after it completes (or throws) rather than
 *       hangs.</li>
 * </ul>
 */
public interface TaskTransport extends AutoCloseable {

    /**
     * Sends one attempt.
     *
     * @param request the attempt
     * @return a stage completing with the service's output
     */
    CompletionStage<Object> dispatch(TaskRequest request);

    /** Releases resources; called when the orchestrator closes. The default does nothing. */
    @Override
    default void close() {
    }
}
