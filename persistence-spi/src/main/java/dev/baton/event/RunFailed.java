package dev.baton.event;

import java.time.Instant;

/**
 * The run ended because a task failed for good, or the run timed out.
 *
 * @param runId  run id
 * @param seq    position in the log
 * @param at     time
 * @param taskId the task that failed, or {@code null} when the run itself failed (timeout)
 * @param error  why
 */
public record RunFailed(String runId, long seq, Instant at, String taskId, ErrorInfo error) implements RunEvent {
}
