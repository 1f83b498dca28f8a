package dev.baton.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One attempt to deliver an ended run's result to its webhook. The only event allowed after a run's terminal event:
 * a run's end is durable before its result is sent, and every attempt is recorded, the last one with a final
 * outcome. Carries no secret and no response body.
 *
 * @param runId         run id
 * @param seq           position in the log
 * @param at            when the attempt ended
 * @param endSeq        the seq of the terminal event whose result this attempt delivers (a redriven run ends, and is
 *                      delivered, more than once)
 * @param destination   the webhook URL
 * @param attempt       1-based attempt number
 * @param outcome       {@link #DELIVERED}, {@link #RETRYING}, {@link #FAILED} or {@link #REFUSED}
 * @param status        the HTTP status, or 0 when there was no response
 * @param error         a short description of the failure, or {@code null}
 * @param nextAttemptAt when the next attempt is due, when {@code outcome} is {@link #RETRYING}; else {@code null}
 */
public record WebhookAttempted(String runId, long seq, Instant at, long endSeq, String destination, int attempt,
                               String outcome, int status, String error, Instant nextAttemptAt) implements RunEvent {

    /** The receiver accepted the result (a 2xx answer). Final. */
    public static final String DELIVERED = "DELIVERED";
    /** The attempt failed and another follows at {@code nextAttemptAt}. */
    public static final String RETRYING = "RETRYING";
    /** The attempt failed and no other follows (a rejecting answer, or attempts exhausted). Final. */
    public static final String FAILED = "FAILED";
    /** The destination is not allowed; it was not called. Final. */
    public static final String REFUSED = "REFUSED";

    /**
     * Checks the components.
     *
     * @param runId         run id
     * @param seq           position in the log
     * @param at            when the attempt ended
     * @param endSeq        the seq of the terminal event whose result this attempt delivers (a redriven run ends,
     *                      and is delivered, more than once)
     * @param destination   the webhook URL
     * @param attempt       1-based attempt number
     * @param outcome       {@link #DELIVERED}, {@link #RETRYING}, {@link #FAILED} or {@link #REFUSED}
     * @param status        the HTTP status, or 0 when there was no response
     * @param error         a short description of the failure, or {@code null}
     * @param nextAttemptAt when the next attempt is due, when {@code outcome} is {@link #RETRYING}; else {@code null}
     */
    public WebhookAttempted {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(outcome, "outcome");
        if (endSeq < 1) {
            throw new IllegalArgumentException("endSeq must be >= 1, was " + endSeq);
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }

    /** @return whether no attempt follows this one */
    public boolean isFinal() {
        return !RETRYING.equals(outcome);
    }
}
