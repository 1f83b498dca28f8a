package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Duration NO_TIME = Duration.ZERO;
    private final RandomGenerator random = new SplittableRandom(42);

    /** A generator that always draws the same value, to pin jitter at its bounds. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private static int attemptsUntilGiveUp(RetryPolicy policy, Throwable failure) {
        int attempt = 1;
        while (true) {
            RetryDecision d = policy.decide(attempt, failure, NO_TIME, new SplittableRandom(attempt));
            if (!d.shouldRetry()) {
                return attempt;
            }
            assertThat(((RetryDecision.Retry) d).nextAttempt()).isEqualTo(attempt + 1);
            attempt++;
        }
    }

    @Test
    void makesExactlyMaxAttempts() {
        RuntimeException boom = new IllegalStateException("boom");
        assertThat(attemptsUntilGiveUp(RetryPolicy.builder().maxAttempts(5).build(), boom)).isEqualTo(5);
        assertThat(attemptsUntilGiveUp(RetryPolicy.defaults(), boom)).isEqualTo(3);
        assertThat(attemptsUntilGiveUp(RetryPolicy.none(), boom)).isEqualTo(1);
        RetryDecision last = RetryPolicy.builder().maxAttempts(2).build().decide(2, boom, NO_TIME, random);
        assertThat(last).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                g -> assertThat(g.reason()).isEqualTo(RetryDecision.Reason.ATTEMPTS_EXHAUSTED));
    }

    @Test
    void delaysGrowExponentiallyWithinJitterBoundsAndCap() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(10)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).multiplier(2.0).jitter(0.25).build();
        long[] bases = {100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000};
        for (int attempt = 1; attempt <= 9; attempt++) {
            Duration base = Duration.ofMillis(bases[attempt - 1]);
            assertThat(policy.baseDelay(attempt)).isEqualTo(base);
            Duration low = Duration.ofNanos((long) (base.toNanos() * 0.75));
            Duration high = Duration.ofNanos(Math.min(2_000_000_000L, (long) (base.toNanos() * 1.25)));
            for (int i = 0; i < 200; i++) {
                Duration d = ((RetryDecision.Retry) policy.decide(attempt, new RuntimeException(), NO_TIME, random))
                        .delay();
                assertThat(d).isBetween(low, high);
            }
            // the extremes of the draw hit the documented bounds
            assertThat(((RetryDecision.Retry) policy.decide(attempt, new RuntimeException(), NO_TIME, fixed(0.0)))
                    .delay()).isEqualTo(low);
            assertThat(((RetryDecision.Retry) policy.decide(attempt, new RuntimeException(), NO_TIME,
                    fixed(Math.nextDown(1.0)))).delay()).isBetween(low, high);
        }
    }

    @Test
    void withoutJitterDelaysAreExact() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(4)
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(5)).multiplier(3.0).jitter(0).build();
        assertThat(((RetryDecision.Retry) policy.decide(1, new RuntimeException(), NO_TIME, random)).delay())
                .isEqualTo(Duration.ofMillis(200));
        assertThat(((RetryDecision.Retry) policy.decide(2, new RuntimeException(), NO_TIME, random)).delay())
                .isEqualTo(Duration.ofMillis(600));
        assertThat(((RetryDecision.Retry) policy.decide(3, new RuntimeException(), NO_TIME, random)).delay())
                .isEqualTo(Duration.ofMillis(1800));
    }

    @Test
    void hugeAttemptNumbersStayAtTheCap() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(Integer.MAX_VALUE).jitter(0).build();
        assertThat(((RetryDecision.Retry) policy.decide(5_000, new RuntimeException(), NO_TIME, random)).delay())
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void retryAfterIsHonouredAndClampedToThePolicyBounds() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(5)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(3)).jitter(0.5).build();
        assertThat(delay(policy, new RetryableException("429", Duration.ofMillis(1500))))
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(delay(policy, new RetryableException("429", Duration.ofSeconds(60))))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(delay(policy, new RetryableException("429", Duration.ZERO))).isEqualTo(Duration.ofMillis(100));
        assertThat(delay(policy, new RetryableException("no hint"))).isBetween(Duration.ofMillis(50),
                Duration.ofMillis(150));
    }

    private Duration delay(RetryPolicy policy, Throwable failure) {
        return ((RetryDecision.Retry) policy.decide(1, failure, NO_TIME, random)).delay();
    }

    @Test
    void respectsTheTotalBudget() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(10)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).jitter(0).maxDuration(Duration.ofSeconds(5))
                .build();
        assertThat(policy.decide(3, new RuntimeException(), Duration.ofSeconds(4), random).shouldRetry()).isTrue();
        RetryDecision d = policy.decide(4, new RuntimeException(), Duration.ofMillis(4001), random);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class, g -> {
            assertThat(g.reason()).isEqualTo(RetryDecision.Reason.BUDGET_EXHAUSTED);
            assertThat(g.message()).contains("PT5S");
        });
    }

    @Test
    void neverRetriesNonRetryableOrAbortOnTypes() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).abortOn(IllegalArgumentException.class).build();
        assertThat(giveUpReason(policy, new NonRetryableException("bad input")))
                .isEqualTo(RetryDecision.Reason.NON_RETRYABLE);
        assertThat(giveUpReason(policy, new NumberFormatException("sub-type of an abortOn type")))
                .isEqualTo(RetryDecision.Reason.ABORTED);
        assertThat(policy.decide(1, new IllegalStateException(), NO_TIME, random).shouldRetry()).isTrue();
    }

    @Test
    void retryOnRestrictsTheRetriedTypesButRetryableExceptionAlwaysQualifies() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).retryOn(UncheckedIOException.class)
                .abortOn(NonRetryableException.class).build();
        assertThat(policy.decide(1, new UncheckedIOException(new IOException()), NO_TIME, random).shouldRetry())
                .isTrue();
        assertThat(policy.decide(1, new RetryableException("busy"), NO_TIME, random).shouldRetry()).isTrue();
        assertThat(giveUpReason(policy, new IllegalStateException()))
                .isEqualTo(RetryDecision.Reason.NOT_RETRIED_TYPE);
        RetryPolicy both = RetryPolicy.builder().retryOn(RuntimeException.class)
                .abortOn(IllegalArgumentException.class).build();
        assertThat(giveUpReason(both, new IllegalArgumentException())).isEqualTo(RetryDecision.Reason.ABORTED);
    }

    private RetryDecision.Reason giveUpReason(RetryPolicy policy, Throwable failure) {
        return ((RetryDecision.GiveUp) policy.decide(1, failure, NO_TIME, random)).reason();
    }

    @Test
    void isEqualByValue() {
        RetryPolicy a = RetryPolicy.builder().maxAttempts(4).retryOn(IOException.class, IllegalStateException.class)
                .maxDuration(Duration.ofMinutes(1)).build();
        RetryPolicy b = RetryPolicy.builder().maxDuration(Duration.ofMinutes(1))
                .retryOn(IllegalStateException.class).retryOn(IOException.class).maxAttempts(4).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(RetryPolicy.defaults());
        assertThat(RetryPolicy.builder().build()).isEqualTo(RetryPolicy.defaults());
        assertThat(RetryPolicy.defaults().maxAttempts()).isEqualTo(3);
        assertThat(RetryPolicy.defaults().initialDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(RetryPolicy.defaults().maxDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts").hasMessageContaining("0");
        assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("backoff max").hasMessageContaining("PT1S");
        assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .hasMessageContaining("backoff initial");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5)).hasMessageContaining("multiplier")
                .hasMessageContaining("0.5");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(Double.NaN)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5)).hasMessageContaining("jitter")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> RetryPolicy.builder().maxDuration(Duration.ZERO)).hasMessageContaining("maxDuration");
        assertThatThrownBy(() -> new RetryableException("x", Duration.ofSeconds(-1)))
                .hasMessageContaining("retryAfter");
        assertThatThrownBy(() -> RetryPolicy.defaults().decide(0, new RuntimeException(), NO_TIME, random))
                .hasMessageContaining("attemptJustFailed");
    }

    @Test
    void exceptionsCarryTheirCodes() {
        assertThat(new NonRetryableException("x").code()).isEqualTo("NON_RETRYABLE");
        assertThat(new RetryableException("x").code()).isEqualTo("RETRYABLE");
        assertThat(new RetryableException("x").retryAfter()).isEmpty();
        assertThat(new RetryableException("x", Duration.ofSeconds(3)).retryAfter()).contains(Duration.ofSeconds(3));
    }

    @Test
    void aCapPastTheRangeOfNanosecondsMeansNoCapAndNeverOverflows() {
        // a max of Long.MAX_VALUE seconds is a natural way to say "no cap"; Duration.toNanos throws past 292 years
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(200)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(Long.MAX_VALUE)).multiplier(2.0).jitter(0.5)
                .build();
        assertThat(policy.baseDelay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.baseDelay(2)).isEqualTo(Duration.ofMillis(200));
        Duration longest = Duration.ofNanos(Long.MAX_VALUE);
        assertThat(policy.baseDelay(150)).isEqualTo(longest); // 100 ms * 2^149 saturates
        for (double u : new double[]{0.0, 0.5, 0.999_999}) {
            RetryDecision d = policy.decide(150, new IllegalStateException("x"), NO_TIME, fixed(u));
            assertThat(d).isInstanceOfSatisfying(RetryDecision.Retry.class,
                    r -> assertThat(r.delay()).isPositive().isLessThanOrEqualTo(longest));
        }
    }

    @Test
    void aRetryAfterPastTheRangeOfNanosecondsWaitsTheLongestDelay() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(3)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(Long.MAX_VALUE)).build();
        RetryDecision d = policy.decide(1, new RetryableException("busy", Duration.ofSeconds(Long.MAX_VALUE)),
                NO_TIME, random);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.Retry.class,
                r -> assertThat(r.delay()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE)));
    }

    @Test
    void aDelayThatWouldTakeTheElapsedTimePastDurationsRangeIsPastTheBudget() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).maxDuration(Duration.ofDays(1))
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
        RetryDecision d = policy.decide(1, new IllegalStateException("x"), Duration.ofSeconds(Long.MAX_VALUE, 0),
                random);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                g -> assertThat(g.reason()).isEqualTo(RetryDecision.Reason.BUDGET_EXHAUSTED));
    }
}
