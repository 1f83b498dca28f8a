package dev.baton.transport;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One attempt of a task, as a transport sends it to a service. Immutable.
 *
 * @param runId         run id
 * @param taskId        task id
 * @param service       service name
 * @param executionId   execution id: the same on every attempt, redrive and recovery; send it as the idempotency key
 * @param attempt       1-based attempt number
 * @param input         the resolved input, an immutable JSON object
 * @param deadline      when the attempt times out, or {@code null}
 * @param correlationId the run's correlation id
 */
public record TaskRequest(String runId, String taskId, String service, String executionId, int attempt,
                          Map<String, Object> input, Instant deadline, String correlationId) {

    /**
     * Checks the components.
     *
     * @param runId         run id
     * @param taskId        task id
     * @param service       service name
     * @param executionId   execution id: the same on every attempt, redrive and recovery; send it as the idempotency
     *                      key
     * @param attempt       1-based attempt number
     * @param input         the resolved input, an immutable JSON object
     * @param deadline      when the attempt times out, or {@code null}
     * @param correlationId the run's correlation id
     */
    public TaskRequest {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(executionId, "executionId");
        Objects.requireNonNull(input, "input");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }
}
