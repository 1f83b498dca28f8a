package dev.baton;

import java.time.Duration;

/**
 * {@link RunHandle#await(Duration)} gave up waiting; the run itself goes on.
 */
public final class AwaitTimeoutException extends BatonException {

    private static final long serialVersionUID = 1L;

    /**
     * @param runId   run id
     * @param timeout how long the caller waited
     */
    public AwaitTimeoutException(String runId, Duration timeout) {
        super("AWAIT_TIMEOUT", "run '" + runId + "' did not end within " + timeout);
    }
}
