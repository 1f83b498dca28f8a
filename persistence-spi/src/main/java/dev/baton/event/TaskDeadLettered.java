package dev.baton.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task exhausted its attempts and was put on the dead-letter list, from which it can be redriven.
 *
 * @param runId       run id
 * @param seq         position in the log
 * @param at          time
 * @param taskId      task id
 * @param executionId execution id (kept on redrive)
 * @param service     the service it calls
 * @param input       the resolved input of the last attempt
 * @param attempts    every failed attempt, oldest first
 */
public record TaskDeadLettered(String runId, long seq, Instant at, String taskId, String executionId, String service,
                               Map<String, Object> input, List<FailedAttempt> attempts) implements RunEvent {
    /**
     * Freezes the attempts.
     *
     * @param runId       run id
     * @param seq         position in the log
     * @param at          time
     * @param taskId      task id
     * @param executionId execution id (kept on redrive)
     * @param service     the service it calls
     * @param input       the resolved input of the last attempt
     * @param attempts    every failed attempt, oldest first
     */
    public TaskDeadLettered {
        attempts = List.copyOf(attempts);
    }
}
