package dev.baton;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler knows about the task attempt it is running. Immutable; one instance per attempt.
 */
public interface TaskContext {

    /** @return the run id */
    String runId();

    /** @return the task id within the plan */
    String taskId();

    /** @return the service name */
    String service();

    /**
     * The execution id, derived from (run id, task id): the same on every attempt, redrive and recovery. Key side
     * effects on it to make them exactly-once.
     *
     * @return the execution id
     */
    String executionId();

    /** @return the attempt number, starting at 1 */
    int attempt();

    /** @return the task input with every reference resolved, an immutable JSON object */
    Map<String, Object> input();

    /** @return when this attempt times out, if it has a timeout (attempt timeout or run timeout) */
    Optional<Instant> deadline();

    /** @return the run's correlation id (the caller's, else the run id) */
    String correlationId();
}
