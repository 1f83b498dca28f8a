package dev.baton.persistence;

/**
 * A writer tried to append to a run whose lease another instance holds: it was fenced off. Nothing was written.
 */
public final class LeaseLostException extends StoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param runId  run id
     * @param writer the instance that tried to write
     * @param holder the instance holding the lease
     */
    public LeaseLostException(String runId, String writer, String holder) {
        super("run '" + runId + "' is leased by '" + holder + "', not by '" + writer + "'");
    }
}
