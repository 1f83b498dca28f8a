package dev.baton.event;

import java.time.Instant;

/**
 * A task finished with an output. Durable before any dependent task starts.
 *
 * @param runId       run id
 * @param seq         position in the log
 * @param at          time
 * @param taskId      task id
 * @param executionId execution id
 * @param attempt     the attempt that produced the output
 * @param output      the output, a plain JSON value
 * @param reused      whether the output was a stored result of the same execution rather than a new call
 */
public record TaskCompleted(String runId, long seq, Instant at, String taskId, String executionId, int attempt,
                            Object output, boolean reused) implements RunEvent {
}
