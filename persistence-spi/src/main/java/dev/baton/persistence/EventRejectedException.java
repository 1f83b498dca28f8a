package dev.baton.persistence;

/**
 * The store will never accept one event of an append (an event longer than it keeps, say); nothing of the append was
 * written. Unlike other {@link StoreException}s, trying the same append again cannot succeed, so a store throws this
 * only for a refusal that does not pass.
 *
 * <p>The orchestrator does not retry such an append: when the event is a task's, that task fails for good with
 * {@code EVENT_REJECTED} (the message is this exception's), it is dead-lettered so it can be redriven once the cause is
 * gone, and the run goes on from its log under its failure policy. A refused creation (a plan too large for the store)
 * fails the submission; another refused event that is no task's is retried like any store failure.
 */
public class EventRejectedException extends StoreException {

    private static final long serialVersionUID = 1L;

    /** The run appended to. */
    private final String runId;
    /** The seq of the refused event. */
    private final long seq;

    /**
     * @param runId   the run appended to
     * @param seq     the seq of the refused event
     * @param message why the store refuses it, naming the run and the event
     */
    public EventRejectedException(String runId, long seq, String message) {
        super(message);
        this.runId = runId;
        this.seq = seq;
    }

    /** @return the run appended to */
    public String runId() {
        return runId;
    }

    /** @return the seq of the refused event */
    public long seq() {
        return seq;
    }
}
