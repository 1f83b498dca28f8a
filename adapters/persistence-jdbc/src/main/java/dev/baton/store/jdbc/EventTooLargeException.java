package dev.baton.store.jdbc;

import dev.baton.persistence.StoreException;

/**
 * An append held an event whose JSON is longer than the store accepts ({@link JdbcRunStore.Builder#maxEventChars});
 * nothing of the append was written. Like any {@link StoreException} the engine retries the append with backoff, so
 * the run waits (and logs this message at each retry) until the store accepts the event: its output has to be made
 * smaller at the source, or the limit raised.
 */
public final class EventTooLargeException extends StoreException {

    private static final long serialVersionUID = 1L;

    /** The run appended to. */
    private final String runId;
    /** The seq of the event that is too large. */
    private final long seq;
    /** The length of its JSON, in characters. */
    private final long chars;
    /** The longest JSON the store accepts, in characters. */
    private final long limit;

    /**
     * @param runId the run appended to
     * @param seq   the event's seq
     * @param type  the event's type, for the message
     * @param chars the length of its JSON, in characters
     * @param limit the longest JSON the store accepts
     */
    public EventTooLargeException(String runId, long seq, String type, long chars, long limit) {
        super("run '" + runId + "', seq " + seq + ": the event (" + type + ") is " + chars
                + " characters of JSON, more than the store accepts (" + limit + "); nothing was written");
        this.runId = runId;
        this.seq = seq;
        this.chars = chars;
        this.limit = limit;
    }

    /** @return the run appended to */
    public String runId() {
        return runId;
    }

    /** @return the seq of the event that is too large */
    public long seq() {
        return seq;
    }

    /** @return the length of its JSON, in characters */
    public long chars() {
        return chars;
    }

    /** @return the longest JSON the store accepts, in characters */
    public long limit() {
        return limit;
    }
}
