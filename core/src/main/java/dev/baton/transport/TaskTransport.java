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
