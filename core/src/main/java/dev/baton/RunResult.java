package dev.baton;

import java.util.Map;
import java.util.Optional;

/**
 * How a run ended: its status, the outputs of the tasks that completed, and the error if it did not complete.
 * Immutable and thread-safe.
 *
 * @param runId   run id
 * @param status  a terminal status
 * @param outputs outputs of completed tasks by task id, in plan order
 * @param err     why the run did not complete, or {@code null}
 */
public record RunResult(String runId, RunStatus status, Map<String, Object> outputs, RunError err) {

    /**
     * Freezes the outputs.
     *
     * @param runId   run id
     * @param status  a terminal status
     * @param outputs outputs of completed tasks by task id, in plan order
     * @param err     why the run did not complete, or {@code null}
     */
    public RunResult {
        outputs = dev.baton.plan.JsonValues.freezeObject(outputs);
    }

    /**
     * A completed task's output.
     *
     * @param taskId task id
     * @return its output (a plain JSON value, possibly {@code null}), or {@code null} if it did not complete
     */
    public Object output(String taskId) {
        return outputs.get(taskId);
    }

    /** @return which task failed and why, when the run did not complete */
    public Optional<RunError> error() {
        return Optional.ofNullable(err);
    }

    /** @return whether the run completed */
    public boolean isCompleted() {
        return status == RunStatus.COMPLETED;
    }
}
