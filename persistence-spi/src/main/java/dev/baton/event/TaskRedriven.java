package dev.baton.event;

import java.time.Instant;

/**
 * A dead-lettered task was sent again; its run resumes.
 *
 * @param runId       run id
 * @param seq         position in the log
 * @param at          time
 * @param taskId      task id
 * @param executionId execution id (unchanged)
 */
public record TaskRedriven(String runId, long seq, Instant at, String taskId, String executionId) implements RunEvent {
}
