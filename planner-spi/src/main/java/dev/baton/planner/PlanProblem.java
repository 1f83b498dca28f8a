package dev.baton.planner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Why a planner's plan was rejected: one validation error (or one problem reading the planner's reply), in a form
 * a planner can read without depending on the core. Immutable.
 *
 * @param code    the stable code, e.g. {@code CYCLE} or {@code UNKNOWN_SERVICE}
 * @param taskId  the task concerned, or {@code null}
 * @param path    where in the plan document, JSON-pointer-like; {@code ""} for the whole plan
 * @param message what is wrong, for a person (or a language model)
 */
public record PlanProblem(String code, String taskId, String path, String message) {

    /**
     * Checks the components.
     *
     * @param code    the stable code, e.g. {@code CYCLE} or {@code UNKNOWN_SERVICE}
     * @param taskId  the task concerned, or {@code null}
     * @param path    where in the plan document, JSON-pointer-like; {@code ""} for the whole plan
     * @param message what is wrong, for a person (or a language model)
     */
    public PlanProblem {
        Objects.requireNonNull(code, "code");
        path = path == null ? "" : path;
        Objects.requireNonNull(message, "message");
    }

    /** @return this problem as plain JSON values ({@code code}, {@code taskId} when set, {@code path}, {@code message}) */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code);
        if (taskId != null) {
            m.put("taskId", taskId);
        }
        m.put("path", path);
        m.put("message", message);
        return m;
    }

    /** @return {@code CODE at path (task): message}, one line */
    @Override
    public String toString() {
        return code + " at " + (path.isEmpty() ? "/" : path) + (taskId == null ? "" : " (" + taskId + ")") + ": " + message;
    }
}
