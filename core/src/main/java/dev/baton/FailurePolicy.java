package dev.baton;

/**
 * What a run does when a task fails for good. Either way the failed task's dependents are skipped and the run ends
 * {@link RunStatus#FAILED}.
 */
public enum FailurePolicy {
    /**
     * Stop scheduling new tasks; the run ends once the running tasks finish. A task that was running when the run
     * failed finishes as it would have: its retries included, so its work is done and recorded (and a redrive of the
     * failed task can complete the run), and the run ends {@code FAILED} with the first failure's error, also when
     * the run's timeout cuts those tasks short (their own errors are then {@code RUN_TIMEOUT}). The default.
     */
    FAIL_FAST,
    /** Run every branch that does not depend on the failed task to its end. */
    CONTINUE
}
