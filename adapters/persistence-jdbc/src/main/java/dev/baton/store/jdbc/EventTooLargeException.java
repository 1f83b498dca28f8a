package dev.baton.store.jdbc;

import dev.baton.persistence.EventRejectedException;

/**
 * An append held an event whose JSON is longer than the store accepts ({@link JdbcRunStore.Builder#maxEventChars});
 * nothing of the append was written. A refusal that does not pass: the orchestrator does not retry it, but fails the
 * task whose event it is (its output, or its resolved input, too large) with {@code EVENT_REJECTED} and dead-letters
 * it, so it can be redriven once the limit is raised or the output made smaller at the source.
 */
public final class EventTooLargeException extends EventRejectedException {

    private static final long serialVersionUID = 1L;

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
        super(runId, seq, "run '" + runId + "', seq " + seq + ": the event (" + type + ") is " + chars
                + " characters of JSON, more than the store accepts (" + limit + "); nothing was written");
        this.chars = chars;
        this.limit = limit;
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
