package dev.baton.event;

import java.time.Instant;

/**
 * A task will not run because a task it depends on failed or was skipped.
 *
 * @param runId  run id
 * @param seq    position in the log
 * @param at     time
 * @param taskId the skipped task
 * @param cause  the failed upstream task
 */
public record TaskSkipped(String runId, long seq, Instant at, String taskId, String cause) implements RunEvent {
}
