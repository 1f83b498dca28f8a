package dev.baton.persistence;

import java.time.Instant;

/**
 * A store's summary of one run, derived from its log.
 *
 * @param runId         run id
 * @param state         where it stands
 * @param createdAt     time of its {@code RunCreated} event
 * @param endedAt       time of its terminal event, or {@code null}
 * @param lastSeq       sequence number of its last event
 * @param correlationId the caller's correlation id, or {@code null}
 * @param taskCount     number of executable tasks in its plan
 */
public record RunRecord(String runId, RunState state, Instant createdAt, Instant endedAt, long lastSeq,
                        String correlationId, int taskCount) {
}
