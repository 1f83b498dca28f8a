package dev.baton.event;

import java.time.Instant;

/**
 * A pending or running task was cancelled with its run.
 *
 * @param runId  run id
 * @param seq    position in the log
 * @param at     time
 * @param taskId task id
 */
public record TaskCancelled(String runId, long seq, Instant at, String taskId) implements RunEvent {
}
