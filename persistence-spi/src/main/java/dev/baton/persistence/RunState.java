package dev.baton.persistence;

/**
 * Where a run stands, as far as a store needs to know to answer queries.
 */
public enum RunState {
    /** Created and not yet ended. */
    ACTIVE,
    /** Ended with every task completed. */
    COMPLETED,
    /** Ended because a task failed for good or the run timed out. */
    FAILED,
    /** Ended by cancellation. */
    CANCELLED;

    /** @return whether the run has ended */
    public boolean isTerminal() {
        return this != ACTIVE;
    }
}
