package dev.baton.transport.tck;

import java.util.Map;
import java.util.Objects;

/**
 * One call as the service on the far side of a transport received it: what the fixture read back from the wire. The
 * kit compares it with the {@link dev.baton.transport.TaskRequest} it dispatched.
 *
 * @param runId          the run id the call carried
 * @param taskId         the task id
 * @param service        the service name
 * @param executionId    the execution id
 * @param attempt        the attempt number
 * @param input          the input, as JSON values
 * @param idempotencyKey the key a service dedupes on, as the transport sends it (a header, a message key ...); the
 *                       contract wants the execution id there
 * @param correlationId  the correlation id, or {@code null} when the call carried none
 */
public record ServiceCall(String runId, String taskId, String service, String executionId, int attempt,
                          Map<String, Object> input, String idempotencyKey, String correlationId) {

    /**
     * Checks the components.
     *
     * @param runId          the run id the call carried
     * @param taskId         the task id
     * @param service        the service name
     * @param executionId    the execution id
     * @param attempt        the attempt number
     * @param input          the input, as JSON values
     * @param idempotencyKey the key a service dedupes on, as the transport sends it
     * @param correlationId  the correlation id, or {@code null}
     */
    public ServiceCall {
        Objects.requireNonNull(input, "input");
    }
}
