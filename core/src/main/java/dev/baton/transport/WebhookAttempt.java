package dev.baton.transport;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of one webhook attempt, as a {@link WebhookTransport} reports it (the engine records each one in the
 * run's log as a {@code WebhookAttempted} event). Carries no secret and no response body. Immutable.
 *
 * @param runId     the run whose result was sent
 * @param destination where it was sent
 * @param attempt   1-based attempt number
 * @param outcome   how the attempt ended
 * @param status    the HTTP status, or 0 when there was no response
 * @param error     a short description of the failure (a code or exception class and status); {@code null} when
 *                  the attempt delivered
 * @param at        when the attempt ended
 * @param nextDelay the delay before the next attempt when {@code outcome} is {@link WebhookOutcome#RETRYING}, else
 *                  {@code null}
 */
public record WebhookAttempt(String runId, URI destination, int attempt, WebhookOutcome outcome, int status,
                             String error, Instant at, Duration nextDelay) {

    /**
     * Checks the components.
     *
     * @param runId     the run whose result was sent
     * @param destination where it was sent
     * @param attempt   1-based attempt number
     * @param outcome   how the attempt ended
     * @param status    the HTTP status, or 0 when there was no response
     * @param error     a short description of the failure (a code or exception class and status); {@code null}
     *                  when the attempt delivered
     * @param at        when the attempt ended
     * @param nextDelay the delay before the next attempt when {@code outcome} is {@link WebhookOutcome#RETRYING}, else
     *                  {@code null}
     */
    public WebhookAttempt {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(at, "at");
    }

    /** @return the HTTP status, if there was a response */
    public OptionalInt statusIfAny() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** @return the delay before the next attempt, if one follows */
    public Optional<Duration> nextDelayIfAny() {
        return Optional.ofNullable(nextDelay);
    }

    /** @return whether no attempt follows this one */
    public boolean isFinal() {
        return outcome != WebhookOutcome.RETRYING;
    }
}
