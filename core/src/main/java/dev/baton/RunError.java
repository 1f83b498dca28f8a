package dev.baton;

/**
 * Why a run did not complete.
 *
 * @param taskId  the task that failed, or {@code null} when the run itself failed (timeout, cancellation)
 * @param code    a stable code, e.g. {@code HANDLER_ERROR}, {@code TIMEOUT}, {@code REFERENCE_UNRESOLVED},
 *                {@code RUN_TIMEOUT}, {@code CANCELLED}
 * @param message what went wrong, for a person
 */
public record RunError(String taskId, String code, String message) {

    @Override
    public String toString() {
        return (taskId == null ? "" : taskId + ": ") + code + ": " + message;
    }
}
