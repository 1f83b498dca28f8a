package dev.baton.event;

import java.time.Instant;

/**
 * A failed attempt will be followed by another, not before a given time; recovery keeps that schedule.
 *
 * @param runId       run id
 * @param seq         position in the log
 * @param at          time
 * @param taskId      task id
 * @param executionId execution id
 * @param nextAttempt the attempt number that will run
 * @param notBefore   the earliest time it may run
 */
public record TaskRetryScheduled(String runId, long seq, Instant at, String taskId, String executionId,
                                 int nextAttempt, Instant notBefore) implements RunEvent {
}
