package dev.baton.event;

import java.time.Instant;

/**
 * An attempt of a task failed.
 *
 * @param runId       run id
 * @param seq         position in the log
 * @param at          time
 * @param taskId      task id
 * @param executionId execution id
 * @param attempt     the attempt that failed
 * @param error       why
 * @param retrying    whether another attempt follows (false: the task has failed for good)
 */
public record TaskFailed(String runId, long seq, Instant at, String taskId, String executionId, int attempt,
                         ErrorInfo error, boolean retrying) implements RunEvent {
}
