package dev.baton;

import dev.baton.internal.Saturating;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * How often and how patiently a failed attempt is retried: a maximum number of attempts, exponential backoff with
 * jitter and a cap, an optional total time budget, and which failures retry or abort.
 *
 * <p>An immutable value, equal by value, built by {@link #builder()}; thread-safe. The policy never sleeps or
 * schedules anything itself: the engine calls {@link #decide} after each failed attempt and schedules the next one.
 *
 * <h2>Delay formula</h2>
 * For the attempt {@code n} (1-based) that just failed, the base delay is
 * {@code base(n) = min(max, initial * multiplier^(n-1))}; the delay is
 * {@code min(max, base(n) * (1 + jitter * u))} with {@code u} drawn uniformly from {@code [-1, 1)}, so it always
 * lies in {@code [base(n) * (1 - jitter), min(max, base(n) * (1 + jitter))]}.
 * When the failure is a {@link RetryableException} with a {@link RetryableException#retryAfter() retryAfter}, that
 * delay replaces the backoff (the service knows best) but is clamped to {@code [initial, max]}: never sooner than
 * the policy's first delay, never later than its cap.
 *
 * <p>Every delay is at most {@code Long.MAX_VALUE} nanoseconds (about 292 years): a longer {@code max} (a natural
 * way to say "no cap") or {@code retryAfter} counts as that long, so the arithmetic never overflows.
 */
public final class RetryPolicy {

    /** The longest delay the policy gives, whatever its options: {@code Long.MAX_VALUE} nanoseconds. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);
    private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();
    private static final RetryPolicy DEFAULTS = new Builder().build();

    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final Duration maxDuration;
    private final Set<Class<? extends Throwable>> retryOn;
    private final Set<Class<? extends Throwable>> abortOn;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxDuration = b.maxDuration;
        this.retryOn = Set.copyOf(b.retryOn);
        this.abortOn = Set.copyOf(b.abortOn);
    }

    /**
     * @return a new builder starting from the {@link #defaults()}: 3 attempts, backoff 200 ms doubling up to 5 s,
     * jitter 0.2, no total budget, every failure retried except {@link NonRetryableException}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a policy that never retries: one attempt */
    public static RetryPolicy none() {
        return NONE;
    }

    /** @return 3 attempts, backoff 200 ms doubling up to 5 s, jitter 0.2, no total budget */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Decides what to do after a failed attempt. Pure: the same arguments (and random draws) give the same answer.
     * The checks run in this order: {@link NonRetryableException} and {@code abortOn} types give up; a
     * {@link RetryableException} always qualifies, other failures must match {@code retryOn} when it is set; the last
     * allowed attempt gives up; a delay that would end past the total budget gives up; otherwise retry after the
     * delay of the class comment. The type checks look at the failure itself, not its causes.
     *
     * @param attemptJustFailed         the 1-based number of the attempt that failed
     * @param failure                   what it failed with
     * @param elapsedSinceFirstAttempt  time since the first attempt started
     * @param random                    the source of jitter (inject a seeded one in tests)
     * @return retry with a delay, or give up with a reason
     */
    public RetryDecision decide(int attemptJustFailed, Throwable failure, Duration elapsedSinceFirstAttempt,
                                RandomGenerator random) {
        if (attemptJustFailed < 1) {
            throw new IllegalArgumentException("attemptJustFailed must be at least 1: " + attemptJustFailed);
        }
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(elapsedSinceFirstAttempt, "elapsedSinceFirstAttempt");
        Objects.requireNonNull(random, "random");
        if (failure instanceof NonRetryableException) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.NON_RETRYABLE,
                    "attempt " + attemptJustFailed + " failed with a non-retryable error: " + describe(failure));
        }
        if (matches(abortOn, failure)) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.ABORTED,
                    "attempt " + attemptJustFailed + " failed with " + failure.getClass().getName()
                            + ", which the policy aborts on");
        }
        if (!(failure instanceof RetryableException) && !retryOn.isEmpty() && !matches(retryOn, failure)) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.NOT_RETRIED_TYPE,
                    "attempt " + attemptJustFailed + " failed with " + failure.getClass().getName()
                            + ", which is not among the types the policy retries on");
        }
        if (attemptJustFailed >= maxAttempts) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.ATTEMPTS_EXHAUSTED,
                    "attempt " + attemptJustFailed + " of " + maxAttempts + " failed: " + describe(failure));
        }
        Duration delay = delayAfter(attemptJustFailed, failure, random);
        if (maxDuration != null && pastBudget(elapsedSinceFirstAttempt, delay)) {
            return new RetryDecision.GiveUp(RetryDecision.Reason.BUDGET_EXHAUSTED,
                    "attempt " + attemptJustFailed + " failed after " + elapsedSinceFirstAttempt
                            + "; waiting " + delay + " more would exceed the budget of " + maxDuration);
        }
        return new RetryDecision.Retry(attemptJustFailed + 1, delay);
    }

    private boolean pastBudget(Duration elapsed, Duration delay) {
        try {
            return elapsed.plus(delay).compareTo(maxDuration) > 0;
        } catch (ArithmeticException beyond) { // a sum past Duration's range: past any budget
            return true;
        }
    }

    private Duration delayAfter(int attempt, Throwable failure, RandomGenerator random) {
        if (failure instanceof RetryableException r && r.retryAfter().isPresent()) {
            Duration asked = r.retryAfter().get();
            Duration clamped = asked.compareTo(initialDelay) < 0 ? initialDelay
                    : asked.compareTo(maxDelay) > 0 ? maxDelay : asked;
            return clamped.compareTo(LONGEST) > 0 ? LONGEST : clamped;
        }
        double base = baseNanos(attempt);
        double u = random.nextDouble() * 2.0 - 1.0; // uniform in [-1, 1)
        double jittered = Math.min((double) Saturating.nanos(maxDelay), base * (1.0 + jitter * u));
        // a double at Long.MAX_VALUE rounds up past it; the cast saturates back to it
        return Duration.ofNanos((long) Math.max(0.0, jittered));
    }

    private double baseNanos(int attempt) {
        double max = Saturating.nanos(maxDelay);
        // pow may overflow to infinity for large attempts; min() caps it
        return Math.min(max, Saturating.nanos(initialDelay) * Math.pow(multiplier, attempt - 1));
    }

    /**
     * The delay before jitter after attempt {@code attemptJustFailed}: {@code min(max, initial * multiplier^(n-1))}.
     *
     * @param attemptJustFailed the 1-based number of the attempt that failed
     * @return the un-jittered, capped delay
     */
    public Duration baseDelay(int attemptJustFailed) {
        if (attemptJustFailed < 1) {
            throw new IllegalArgumentException("attemptJustFailed must be at least 1: " + attemptJustFailed);
        }
        return Duration.ofNanos((long) baseNanos(attemptJustFailed));
    }

    private static boolean matches(Set<Class<? extends Throwable>> types, Throwable failure) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(failure)) {
                return true;
            }
        }
        return false;
    }

    /** @return the maximum number of attempts, the first included; at least 1 */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the delay after the first failed attempt, before jitter */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** @return the cap on every delay */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** @return the factor each delay grows by; at least 1 */
    public double multiplier() {
        return multiplier;
    }

    /** @return the jitter factor in {@code [0, 1]} */
    public double jitter() {
        return jitter;
    }

    /** @return the total time budget from the first attempt, if any */
    public Optional<Duration> maxDuration() {
        return Optional.ofNullable(maxDuration);
    }

    /** @return the failure types retried; empty means every type */
    public Set<Class<? extends Throwable>> retryOn() {
        return retryOn;
    }

    /** @return the failure types that stop retrying at once */
    public Set<Class<? extends Throwable>> abortOn() {
        return abortOn;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy p
                && maxAttempts == p.maxAttempts
                && initialDelay.equals(p.initialDelay)
                && maxDelay.equals(p.maxDelay)
                && Double.compare(multiplier, p.multiplier) == 0
                && Double.compare(jitter, p.jitter) == 0
                && Objects.equals(maxDuration, p.maxDuration)
                && retryOn.equals(p.retryOn)
                && abortOn.equals(p.abortOn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialDelay, maxDelay, multiplier, jitter, maxDuration, retryOn, abortOn);
    }

    /** The failure as {@link Throwable#toString()} says it, or its class's name when that itself throws. */
    private static String describe(Throwable failure) {
        try {
            return failure.toString();
        } catch (RuntimeException | Error e) {
            return failure.getClass().getName();
        }
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialDelay + ".." + maxDelay
                + ", multiplier=" + multiplier + ", jitter=" + jitter + ", maxDuration=" + maxDuration
                + ", retryOn=" + retryOn + ", abortOn=" + abortOn + "]";
    }

    /**
     * Builds a {@link RetryPolicy}. Each setting is checked as it is made and the exception names it and the value.
     * Not thread-safe; {@link #build()} freezes the settings into an immutable policy.
     */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialDelay = Duration.ofMillis(200);
        private Duration maxDelay = Duration.ofSeconds(5);
        private double multiplier = 2.0;
        private double jitter = 0.2;
        private Duration maxDuration;
        private final Set<Class<? extends Throwable>> retryOn = new LinkedHashSet<>();
        private final Set<Class<? extends Throwable>> abortOn = new LinkedHashSet<>();

        private Builder() {
        }

        /**
         * @param maxAttempts the maximum number of attempts, the first included; at least 1 (1 means no retry)
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * @param initial the delay after the first failed attempt; not negative
         * @param max     the cap on every delay; at least {@code initial}
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "backoff initial");
            Objects.requireNonNull(max, "backoff max");
            if (initial.isNegative()) {
                throw new IllegalArgumentException("backoff initial must not be negative: " + initial);
            }
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff max (" + max + ") must be at least initial (" + initial + ")");
            }
            this.initialDelay = initial;
            this.maxDelay = max;
            return this;
        }

        /**
         * @param multiplier the factor each delay grows by; finite and at least 1 (1 means a fixed delay)
         * @return this builder
         */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be finite and at least 1: " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * @param factor the jitter factor in {@code [0, 1]}: each delay is spread uniformly over
         *               {@code ±factor} of its base value (0 disables jitter)
         * @return this builder
         */
        public Builder jitter(double factor) {
            if (!(factor >= 0.0 && factor <= 1.0)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1: " + factor);
            }
            this.jitter = factor;
            return this;
        }

        /**
         * @param totalBudget the longest time from the first attempt's start to the last attempt's start; positive.
         *                    A retry whose delay would end past it is not scheduled.
         * @return this builder
         */
        public Builder maxDuration(Duration totalBudget) {
            Objects.requireNonNull(totalBudget, "maxDuration");
            if (totalBudget.isNegative() || totalBudget.isZero()) {
                throw new IllegalArgumentException("maxDuration must be positive: " + totalBudget);
            }
            this.maxDuration = totalBudget;
            return this;
        }

        /**
         * Restricts retries to failures that are instances of one of these types (added to any given before).
         * A {@link RetryableException} is always retried.
         *
         * @param types failure types to retry
         * @return this builder
         */
        @SafeVarargs
        public final Builder retryOn(Class<? extends Throwable>... types) {
            addAll(retryOn, "retryOn", types);
            return this;
        }

        /**
         * Gives up at once on failures that are instances of one of these types (added to any given before).
         * Takes precedence over {@code retryOn}.
         *
         * @param types failure types that stop retrying
         * @return this builder
         */
        @SafeVarargs
        public final Builder abortOn(Class<? extends Throwable>... types) {
            addAll(abortOn, "abortOn", types);
            return this;
        }

        private static void addAll(Set<Class<? extends Throwable>> into, String setting,
                                   Class<? extends Throwable>[] types) {
            Objects.requireNonNull(types, setting);
            for (Class<? extends Throwable> t : types) {
                into.add(Objects.requireNonNull(t, () -> setting + " must not contain null"));
            }
        }

        /** @return the immutable policy */
        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
