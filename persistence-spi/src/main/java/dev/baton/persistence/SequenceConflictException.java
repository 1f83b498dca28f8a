package dev.baton.persistence;

/**
 * An append expected a run's log to end at one sequence number and it ended at another: another writer got there
 * first (for a new run: a run with that id exists). Nothing was written.
 */
public final class SequenceConflictException extends StoreException {

    private static final long serialVersionUID = 1L;

    /** The run id. */
    private final String runId;
    /** The expected last sequence number. */
    private final long expected;
    /** The actual last sequence number. */
    private final long actual;

    /**
     * @param runId    run id
     * @param expected the sequence number the writer expected the log to end at
     * @param actual   the sequence number it ends at
     */
    public SequenceConflictException(String runId, long expected, long actual) {
        super("run '" + runId + "': expected the log to end at seq " + expected + " but it ends at " + actual);
        this.runId = runId;
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the run id */
    public String runId() {
        return runId;
    }

    /** @return the expected last sequence number */
    public long expected() {
        return expected;
    }

    /** @return the actual last sequence number */
    public long actual() {
        return actual;
    }
}
