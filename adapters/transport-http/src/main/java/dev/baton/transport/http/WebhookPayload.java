package dev.baton.transport.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a result webhook carries: the JSON body {@code {"runId", "status", "results", "error"}}. Immutable.
 *
 * @param runId   the run id
 * @param status  the run's final status, e.g. {@code COMPLETED}
 * @param results the outputs by task id; empty when there are none
 * @param error   the run's error ({@code {"taskId", "code", "message"}} by convention), or {@code null}
 */
public record WebhookPayload(String runId, String status, Map<String, Object> results, Map<String, Object> error) {

    /**
     * Checks and freezes the components.
     *
     * @param runId   the run id
     * @param status  the run's final status, e.g. {@code COMPLETED}
     * @param results the outputs by task id; empty when there are none
     * @param error   the run's error ({@code {"taskId", "code", "message"}} by convention), or {@code null}
     */
    public WebhookPayload {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        results = results == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(results));
        error = error == null ? null : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(error));
    }

    /** @return the body as an ordered map of the four fields */
    Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("status", status);
        m.put("results", results);
        m.put("error", error);
        return m;
    }
}
