package dev.baton.event;

import java.time.Instant;
import java.util.Map;

/**
 * An attempt of a task was dispatched.
 *
 * @param runId       run id
 * @param seq         position in the log
 * @param at          time
 * @param taskId      task id
 * @param executionId the task's execution id (the same on every attempt)
 * @param attempt     1-based attempt number
 * @param input       the input with references resolved
 */
public record TaskStarted(String runId, long seq, Instant at, String taskId, String executionId, int attempt,
                          Map<String, Object> input) implements RunEvent {
}
