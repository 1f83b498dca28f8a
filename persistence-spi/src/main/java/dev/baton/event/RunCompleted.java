package dev.baton.event;

import java.time.Instant;

/**
 * Every task of the run completed.
 *
 * @param runId run id
 * @param seq   position in the log
 * @param at    time
 */
public record RunCompleted(String runId, long seq, Instant at) implements RunEvent {
}
