package dev.baton;

/**
 * What a run does when a task fails for good. Either way the failed task's dependents are skipped and the run ends
 * {@link RunStatus#FAILED}.
 */
public enum FailurePolicy {
    /** Stop scheduling new tasks; the run ends once the running tasks finish. The default. */
    FAIL_FAST,
    /** Run every branch that does not depend on the failed task to its end. */
    CONTINUE
}
