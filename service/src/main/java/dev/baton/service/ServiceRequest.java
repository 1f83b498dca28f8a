package dev.baton.service;

import java.util.Map;
import java.util.Objects;

/**
 * One task attempt as a service receives it: the HTTP transport's wire body. Immutable.
 *
 * @param runId         run id
 * @param taskId        task id
 * @param executionId   execution id: the idempotency key, the same on every attempt
 * @param attempt       1-based attempt number
 * @param service       service name
 * @param input         the task's input, a JSON object
 * @param correlationId the run's correlation id, or {@code null}
 */
public record ServiceRequest(String runId, String taskId, String executionId, int attempt, String service,
                             Map<String, Object> input, String correlationId) {

    /**
     * Checks the components.
     *
     * @param runId         run id
     * @param taskId        task id
     * @param executionId   execution id: the idempotency key, the same on every attempt
     * @param attempt       1-based attempt number
     * @param service       service name
     * @param input         the task's input, a JSON object
     * @param correlationId the run's correlation id, or {@code null}
     */
    public ServiceRequest {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(executionId, "executionId");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(input, "input");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }
}
