package dev.baton;

/**
 * Where a run stands.
 */
public enum RunStatus {
    /** Accepted and not yet ended. */
    RUNNING,
    /** Every task completed. */
    COMPLETED,
    /** A task failed for good, or the run timed out. */
    FAILED,
    /** Cancelled by the caller. */
    CANCELLED;

    /** @return whether the run has ended */
    public boolean isTerminal() {
        return this != RUNNING;
    }
}
