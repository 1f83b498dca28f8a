package dev.baton;

/**
 * Where a task of a run stands.
 */
public enum TaskStatus {
    /** Not started yet (waiting for dependencies, a slot, or a retry). */
    PENDING,
    /** An attempt is running. */
    RUNNING,
    /** Finished with an output. */
    COMPLETED,
    /** Failed for good. */
    FAILED,
    /** Not run because a task it depends on failed, or the run stopped after a failure. */
    SKIPPED,
    /** Cancelled with its run. */
    CANCELLED;

    /** @return whether the task will not change any more */
    public boolean isTerminal() {
        return this != PENDING && this != RUNNING;
    }
}
