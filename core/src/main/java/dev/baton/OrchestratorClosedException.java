package dev.baton;

/**
 * The orchestrator is closed: it accepts no new work, and runs that had not ended when it closed stay in the store,
 * recoverable by the next orchestrator on the same store.
 */
public final class OrchestratorClosedException extends BatonException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be done
     */
    public OrchestratorClosedException(String message) {
        super("CLOSED", message);
    }
}
