package dev.baton;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One task of a {@link RunView}. Immutable.
 *
 * @param taskId      task id
 * @param service     service name
 * @param status      where it stands
 * @param attempts    attempts started so far
 * @param executionId its execution id
 * @param input       the resolved input of the latest attempt, or {@code null} if it never started
 * @param output      its output, or {@code null}
 * @param lastError   the latest attempt's error, or {@code null}
 * @param startedAt   when its first attempt started, or {@code null}
 * @param endedAt     when it reached a terminal status, or {@code null}
 */
public record TaskView(String taskId, String service, TaskStatus status, int attempts, String executionId,
                       Map<String, Object> input, Object output, RunError lastError, Instant startedAt,
                       Instant endedAt) {

    /** @return how long it ran, when it started and ended */
    public Optional<Duration> duration() {
        return startedAt == null || endedAt == null ? Optional.empty()
                : Optional.of(Duration.between(startedAt, endedAt));
    }
}
