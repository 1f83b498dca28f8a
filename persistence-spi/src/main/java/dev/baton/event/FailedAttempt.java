package dev.baton.event;

import java.time.Instant;

/**
 * One failed attempt of a task, as kept with a dead letter.
 *
 * @param attempt 1-based attempt number
 * @param at      when it failed
 * @param error   why
 */
public record FailedAttempt(int attempt, Instant at, ErrorInfo error) {
}
