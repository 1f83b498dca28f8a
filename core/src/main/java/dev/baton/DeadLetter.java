package dev.baton;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A task execution that exhausted its attempts, kept so it can be inspected and redriven. Immutable; the input map
 * is copied (null values allowed) and the attempts list is copied.
 *
 * @param runId       the run the task belongs to
 * @param taskId      the task
 * @param service     the service the task calls
 * @param executionId the task's execution id, kept by a redrive
 * @param input       the task's resolved input
 * @param attempts    every attempt's error, in order
 * @param at          when the task was dead-lettered
 */
public record DeadLetter(String runId, String taskId, String service, String executionId, Map<String, Object> input,
                         List<AttemptError> attempts, Instant at) {

    /**
     * Checks and copies the values.
     *
     * @param runId see the record component
     * @param taskId see the record component
     * @param service see the record component
     * @param executionId see the record component
     * @param input see the record component
     * @param attempts see the record component
     * @param at see the record component
     */
    public DeadLetter {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(executionId, "executionId");
        input = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(input, "input")));
        attempts = List.copyOf(Objects.requireNonNull(attempts, "attempts"));
        Objects.requireNonNull(at, "at");
    }

    /**
     * The error of one failed attempt.
     *
     * @param attempt the 1-based attempt number
     * @param code    a stable error code (a {@link BatonException#code()}, or a code the engine assigns)
     * @param message the error's message, for a person
     * @param at      when the attempt failed
     */
    public record AttemptError(int attempt, String code, String message, Instant at) {
        /**
         * Checks the values.
         *
         * @param attempt see the record component
         * @param code see the record component
         * @param message see the record component
         * @param at see the record component
         */
        public AttemptError {
            if (attempt < 1) {
                throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
            }
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(at, "at");
        }
    }
}
