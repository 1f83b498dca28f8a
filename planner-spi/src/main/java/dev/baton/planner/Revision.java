package dev.baton.planner;

import dev.baton.plan.JsonValues;
import dev.baton.plan.Plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a planner is told when it is asked to revise a running plan ({@link PlanningRequest#revision()}): the plan in
 * effect and its version, the tasks that completed (their resolved inputs and outputs), and the task that failed for
 * good. The revised plan is validated like any plan; the tasks it keeps unchanged (same id, service and resolved
 * input) are not executed again, their results carry over. Immutable.
 *
 * @param plan        the plan in effect when the task failed
 * @param planVersion its version: 1 for the plan the run was created with, then 2, 3, ...
 * @param completed   the completed tasks, in plan order
 * @param failure     the task that failed for good
 */
public record Revision(Plan plan, int planVersion, List<CompletedTask> completed, FailedTask failure) {

    /**
     * Checks and freezes the components.
     *
     * @param plan        the plan in effect when the task failed
     * @param planVersion its version: 1 for the plan the run was created with, then 2, 3, ...
     * @param completed   the completed tasks, in plan order
     * @param failure     the task that failed for good
     */
    public Revision {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(failure, "failure");
        if (planVersion < 1) {
            throw new IllegalArgumentException("planVersion must be >= 1, was " + planVersion);
        }
        completed = List.copyOf(completed);
    }

    /**
     * @param taskId task id
     * @return that completed task, if it completed
     */
    public Optional<CompletedTask> completedTask(String taskId) {
        for (CompletedTask t : completed) {
            if (t.taskId().equals(taskId)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * A task that completed; a revision that keeps it unchanged reuses its output.
     *
     * @param taskId      task id
     * @param service     service name
     * @param executionId its execution id
     * @param input       the resolved input it ran with
     * @param output      its output, plain JSON values
     */
    public record CompletedTask(String taskId, String service, String executionId, Map<String, Object> input,
                                Object output) {
        /**
         * Checks and freezes the components.
         *
         * @param taskId      task id
         * @param service     service name
         * @param executionId its execution id
         * @param input       the resolved input it ran with
         * @param output      its output, plain JSON values
         */
        public CompletedTask {
            Objects.requireNonNull(taskId, "taskId");
            input = input == null ? Map.of() : JsonValues.freezeObject(input);
            output = JsonValues.freeze(output);
        }
    }

    /**
     * The task that failed for good.
     *
     * @param taskId   task id
     * @param service  service name
     * @param input    the resolved input of its last attempt, or {@code null} if it never got one
     * @param code     the stable error code, e.g. {@code HANDLER_ERROR}
     * @param message  what went wrong
     * @param attempts how many attempts it made
     */
    public record FailedTask(String taskId, String service, Map<String, Object> input, String code, String message,
                             int attempts) {
        /**
         * Checks and freezes the components.
         *
         * @param taskId   task id
         * @param service  service name
         * @param input    the resolved input of its last attempt, or {@code null} if it never got one
         * @param code     the stable error code, e.g. {@code HANDLER_ERROR}
         * @param message  what went wrong
         * @param attempts how many attempts it made
         */
        public FailedTask {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(code, "code");
            input = input == null ? null : JsonValues.freezeObject(input);
            message = message == null ? "" : message;
        }
    }
}
