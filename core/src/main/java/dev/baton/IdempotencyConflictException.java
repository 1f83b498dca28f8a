package dev.baton;

/**
 * A run id was submitted again with a different plan. The run id is an idempotency key: one id, one plan.
 */
public final class IdempotencyConflictException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** The run id. */
    private final String runId;

    /**
     * @param runId the run id
     */
    public IdempotencyConflictException(String runId) {
        super("IDEMPOTENCY_CONFLICT", "run '" + runId + "' exists with a different plan");
        this.runId = runId;
    }

    /** @return the run id */
    public String runId() {
        return runId;
    }
}
