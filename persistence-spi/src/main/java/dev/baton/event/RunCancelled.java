package dev.baton.event;

import java.time.Instant;

/**
 * The run was cancelled.
 *
 * @param runId  run id
 * @param seq    position in the log
 * @param at     time
 * @param reason why, for a person
 */
public record RunCancelled(String runId, long seq, Instant at, String reason) implements RunEvent {
}
