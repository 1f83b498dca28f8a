package dev.baton;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link RetryPolicy#decide} says to do after a failed attempt: {@link Retry retry after a delay} or
 * {@link GiveUp give up} with a reason. Immutable.
 */
public sealed interface RetryDecision permits RetryDecision.Retry, RetryDecision.GiveUp {

    /** @return {@code true} if another attempt should be scheduled */
    boolean shouldRetry();

    /**
     * Schedule attempt {@code nextAttempt} after {@code delay}.
     *
     * @param nextAttempt the 1-based number of the attempt to schedule
     * @param delay       how long to wait before it; never negative
     */
    record Retry(int nextAttempt, Duration delay) implements RetryDecision {
        /**
         * Checks the values.
         *
         * @param nextAttempt see the record component
         * @param delay see the record component
         */
        public Retry {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
            if (nextAttempt < 2) {
                throw new IllegalArgumentException("nextAttempt must be at least 2: " + nextAttempt);
            }
        }

        @Override
        public boolean shouldRetry() {
            return true;
        }
    }

    /**
     * Do not retry.
     *
     * @param reason  why, as a closed set the engine can switch on
     * @param message why, for a person (names the attempt, the failure or the budget)
     */
    record GiveUp(Reason reason, String message) implements RetryDecision {
        /**
         * Checks the values.
         *
         * @param reason see the record component
         * @param message see the record component
         */
        public GiveUp {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public boolean shouldRetry() {
            return false;
        }
    }

    /** Why a policy gives up. */
    enum Reason {
        /** The attempt that failed was the last one {@code maxAttempts} allows. */
        ATTEMPTS_EXHAUSTED,
        /** The failure was a {@link NonRetryableException}. */
        NON_RETRYABLE,
        /** The failure matched one of the policy's {@code abortOn} types. */
        ABORTED,
        /** The policy has {@code retryOn} types and the failure matched none of them. */
        NOT_RETRIED_TYPE,
        /** Waiting for the next attempt would exceed the policy's total time budget. */
        BUDGET_EXHAUSTED
    }
}
