package dev.baton;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted run. Thread-safe.
 */
public interface RunHandle {

    /** @return the run id */
    String runId();

    /**
     * The run's outcome. The future completes once the run's end is durable in the store; it completes exceptionally
     * only if the orchestrator closed before the run ended ({@link OrchestratorClosedException}; the run stays
     * recoverable). Each call returns a new dependent future, so completing it does not affect the run.
     *
     * @return a future of the result
     */
    CompletableFuture<RunResult> result();

    /**
     * Waits for the run to end.
     *
     * @param timeout how long to wait; zero or negative looks once, and one too long to count in nanoseconds (about
     *                292 years) waits for as long as it takes
     * @return the result
     * @throws AwaitTimeoutException       if the run did not end in time (the run goes on)
     * @throws OrchestratorClosedException if the orchestrator closed before the run ended
     */
    RunResult await(Duration timeout);

    /**
     * Cancels the run: pending tasks are cancelled, running ones interrupted, and the run ends
     * {@link RunStatus#CANCELLED}.
     *
     * @return true if this call cancelled the run, false if it had already ended
     */
    boolean cancel();
}
