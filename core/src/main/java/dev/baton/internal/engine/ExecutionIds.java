package dev.baton.internal.engine;

/**
 * Execution ids: derived from (run id, task id) alone, so every attempt, redrive, recovery and instance computes the
 * same one. Run ids cannot contain {@code /} and task ids cannot either, so the id is unique per (run, task).
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
}
