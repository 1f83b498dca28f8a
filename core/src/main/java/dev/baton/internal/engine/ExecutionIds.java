package dev.baton.internal.engine;

/**
 * Execution ids: derived from (run id, task id) alone, so every attempt, redrive, recovery and instance computes the
 * same one. Run ids cannot contain {@code /} and task ids cannot either, so the id is unique per (run, task).
 *
 * <p>One exception: a re-planning revision that changes a task whose execution id was already executed gives it
 * {@link #revised(String, String, int)}, so changed work never reuses a stored result. The revision event records
 * every task's execution id, so other instances and recovery read it from the log instead of deriving it.
 */
public final class ExecutionIds {

    private ExecutionIds() {
    }

    /**
     * @param runId  run id
     * @param taskId task id
     * @return the execution id, {@code <runId>/<taskId>}
     */
    public static String of(String runId, String taskId) {
        return runId + '/' + taskId;
    }

    /**
     * @param runId   run id
     * @param taskId  task id
     * @param version the plan version that changed the task
     * @return {@code <runId>/<taskId>@<version>}; task ids cannot contain {@code @}, so it is unique too
     */
    public static String revised(String runId, String taskId, int version) {
        return of(runId, taskId) + '@' + version;
    }
}
