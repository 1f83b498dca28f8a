package dev.baton.validation;

import java.util.Objects;

/**
 * One problem found in a plan. Immutable.
 *
 * @param code    the stable code
 * @param taskId  the task concerned, or {@code null} when the problem is not about one task
 * @param path    where in the plan document, JSON-pointer-like, e.g. {@code /tasks/1/input/x}; {@code ""} for the
 *                whole plan
 * @param message what is wrong, for a person
 */
public record ValidationError(ValidationCode code, String taskId, String path, String message) {

    /**
     * Checks the components.
     *
     * @param code    the stable code
     * @param taskId  the task concerned, or {@code null} when the problem is not about one task
     * @param path    where in the plan document, JSON-pointer-like, e.g. {@code /tasks/1/input/x}; {@code ""} for the
     *                whole plan
     * @param message what is wrong, for a person
     */
    public ValidationError {
        Objects.requireNonNull(code, "code");
        path = path == null ? "" : path;
        Objects.requireNonNull(message, "message");
    }

    /**
     * @return {@code CODE at path (task id): message}, one line; a task id longer than 80 characters is shortened,
     *         and control characters in it and in the path (whose keys come from the plan) are escaped, as the
     *         messages quote ids
     */
    @Override
    public String toString() {
        return code + " at " + (path.isEmpty() ? "/" : ValidationRun.oneLine(path))
                + (taskId == null ? "" : " (" + ValidationRun.abbreviate(taskId) + ")") + ": " + message;
    }
}
