package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static final Duration FAST = Duration.ofMillis(1);
    private final MutableClock clock = new MutableClock();
    private final List<CircuitBreakerTransition> events = new CopyOnWriteArrayList<>();

    private CircuitBreaker breaker(CircuitBreakerConfig config) {
        CircuitBreaker b = CircuitBreaker.of("payments", config, clock);
        b.onStateTransition(events::add);
        return b;
    }

    private static CircuitBreakerConfig.Builder config() {
        return CircuitBreakerConfig.builder().slidingWindowSize(10).minimumCalls(4).failureRateThreshold(50)
                .waitInOpen(Duration.ofSeconds(10)).permittedCallsInHalfOpen(3);
    }

    private static void fail(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onError(FAST, new IOException("down"));
        }
    }

    private static void succeed(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onSuccess(FAST);
        }
    }

    private List<String> transitions() {
        return events.stream().map(e -> e.from() + "->" + e.to()).toList();
    }

    @Test
    void staysClosedBelowMinimumCallsThenOpensAtTheThreshold() {
        CircuitBreaker b = breaker(config().build());
        fail(b, 3); // 100% failures but only 3 of the 4 minimum calls
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.metrics().bufferedCalls()).isEqualTo(4);
        assertThat(b.metrics().failedCalls()).isEqualTo(4);
        assertThat(transitions()).containsExactly("CLOSED->OPEN");
        assertThat(events.get(0).breakerName()).isEqualTo("payments");
        assertThat(events.get(0).at()).isEqualTo(clock.instant());
    }

    @Test
    void opensExactlyWhenTheFailureRateReachesTheThreshold() {
        CircuitBreaker b = breaker(config().minimumCalls(10).failureRateThreshold(40).build());
        succeed(b, 6);
        fail(b, 3);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED); // 9 calls < minimum 10
        succeed(b, 1); // 10 calls, 30%
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(b.metrics().failureRate()).isEqualTo(30.0);
        fail(b, 1); // evicts a success: 10 calls, 4 failed = 40%
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.metrics().bufferedCalls()).isEqualTo(10);
        assertThat(b.metrics().failedCalls()).isEqualTo(4);
    }

    @Test
    void theWindowSlidesOldFailuresOut() {
        CircuitBreaker b = breaker(config().slidingWindowSize(4).minimumCalls(4).failureRateThreshold(75).build());
        fail(b, 2);
        succeed(b, 2); // 50%
        succeed(b, 2); // the two failures slide out
        assertThat(b.metrics().failedCalls()).isZero();
        fail(b, 2); // 50% again
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        fail(b, 1); // 75%
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void rejectsWhileOpenCountsRejectionsAndReportsRemainingTime() {
        CircuitBreaker b = breaker(config().build());
        fail(b, 4);
        AtomicInteger ran = new AtomicInteger();
        assertThatThrownBy(() -> b.call(ran::incrementAndGet))
                .isInstanceOfSatisfying(CallNotPermittedException.class, e -> {
                    assertThat(e.code()).isEqualTo("CIRCUIT_OPEN");
                    assertThat(e.breakerName()).isEqualTo("payments");
                    assertThat(e.state()).isEqualTo(CircuitBreakerState.OPEN);
                    assertThat(e.getMessage()).contains("payments").contains("OPEN");
                    assertThat(e.getStackTrace()).isEmpty();
                });
        assertThat(ran).hasValue(0);
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.metrics().notPermittedCalls()).isEqualTo(2);
        assertThat(b.metrics().bufferedCalls()).isEqualTo(4); // rejections are not failures
        assertThat(b.remainingOpenTime()).isEqualTo(Duration.ofSeconds(10));
        clock.advance(Duration.ofMillis(9_999));
        assertThat(b.remainingOpenTime()).isEqualTo(Duration.ofMillis(1));
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void halfOpenAdmitsExactlyThePermittedTrialsThenCloses() {
        CircuitBreaker b = breaker(config().build());
        fail(b, 4);
        clock.advance(Duration.ofSeconds(10));
        assertThat(b.remainingOpenTime()).isZero();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN); // lazily, on the next request
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.metrics().notPermittedCalls()).isEqualTo(1);
        b.onSuccess(FAST);
        b.onError(FAST, new IOException()); // 1 of 3 = 33% < 50%
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(b.metrics().bufferedCalls()).isEqualTo(2);
        b.onSuccess(FAST);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(b.metrics().bufferedCalls()).isZero(); // a fresh window
        assertThat(transitions()).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
    }

    @Test
    void halfOpenReopensWhenTheTrialsFailAndWaitsAgain() {
        CircuitBreaker b = breaker(config().build());
        fail(b, 4);
        clock.advance(Duration.ofSeconds(10));
        fail(b, 1);
        succeed(b, 1);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        fail(b, 1); // 2 of 3 failed
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.remainingOpenTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(transitions()).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN");
    }

    @Test
    void aReleasedTrialPermitCanBeGrantedAgain() {
        CircuitBreaker b = breaker(config().permittedCallsInHalfOpen(1).build());
        fail(b, 4);
        clock.advance(Duration.ofSeconds(10));
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isFalse();
        b.releasePermission(); // cancelled before it ran
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(b.tryAcquirePermission()).isTrue();
        b.onSuccess(FAST);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void slowCallsOpenTheBreaker() {
        CircuitBreaker b = breaker(config().slowCallThreshold(Duration.ofSeconds(2)).slowCallRateThreshold(50)
                .build());
        b.onSuccess(Duration.ofSeconds(3));
        b.onSuccess(Duration.ofSeconds(2)); // not above the threshold
        b.onSuccess(FAST);
        assertThat(b.metrics().slowCalls()).isEqualTo(1);
        b.onError(Duration.ofSeconds(5), new IOException()); // slow and failed: 2 of 4 slow, 1 of 4 failed
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.metrics().slowCallRate()).isEqualTo(50.0);
        assertThat(b.metrics().failureRate()).isEqualTo(25.0);
    }

    @Test
    void slowCallsAreIgnoredWithoutAThreshold() {
        CircuitBreaker b = breaker(config().build());
        for (int i = 0; i < 10; i++) {
            b.onSuccess(Duration.ofHours(1));
        }
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(b.metrics().slowCalls()).isZero();
    }

    @Test
    void resetClosesWithAnEmptyWindow() {
        CircuitBreaker b = breaker(config().build());
        fail(b, 4);
        b.tryAcquirePermission();
        b.reset();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(b.metrics()).isEqualTo(new CircuitBreakerMetrics(0, 0, 0, 0, 0, 0));
        fail(b, 3);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        b.reset(); // no change, no event
        assertThat(transitions()).containsExactly("CLOSED->OPEN", "OPEN->CLOSED");
    }

    @Test
    void forceOpenStaysOpenUntilReset() {
        CircuitBreaker b = breaker(config().build());
        b.forceOpen();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        clock.advance(Duration.ofDays(1));
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.remainingOpenTime()).isEqualTo(Duration.ofSeconds(10));
        b.reset();
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(transitions()).containsExactly("CLOSED->OPEN", "OPEN->CLOSED");
    }

    @Test
    void callRecordsOutcomesAndRethrows() throws Exception {
        CircuitBreaker b = breaker(config().build());
        assertThat(b.call(() -> "ok")).isEqualTo("ok");
        assertThat(b.callChecked(() -> 42)).isEqualTo(42);
        assertThatThrownBy(() -> b.call(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThatThrownBy(() -> b.callChecked(() -> {
            throw new IOException("io");
        })).isInstanceOf(IOException.class);
        assertThat(b.metrics().bufferedCalls()).isEqualTo(4);
        assertThat(b.metrics().failedCalls()).isEqualTo(2);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aFailingListenerDoesNotBreakTheBreaker() {
        CircuitBreaker b = CircuitBreaker.of("x", config().build(), clock);
        b.onStateTransition(e -> {
            throw new IllegalStateException("listener bug");
        });
        b.onStateTransition(events::add);
        fail(b, 4);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(transitions()).containsExactly("CLOSED->OPEN");
    }

    @Test
    void lateOutcomesWhileOpenAreKeptButDecideNothing() {
        CircuitBreaker b = breaker(config().build());
        assertThat(b.tryAcquirePermission()).isTrue(); // a slow call starts while closed
        fail(b, 4);
        b.onSuccess(FAST); // and ends while open
        assertThat(b.metrics().bufferedCalls()).isEqualTo(5);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void isAView() {
        CircuitBreakerView view = breaker(config().build());
        assertThat(view.name()).isEqualTo("payments");
        assertThat(view.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(view.remainingOpenTime()).isZero();
        assertThat(CircuitBreaker.of(CircuitBreakerConfig.defaults()).name()).isEqualTo("default");
    }

    @Test
    void aWaitInOpenPastTheRangeOfMillisecondsKeepsTheBreakerOpen() {
        for (Duration wait : List.of(Duration.ofMillis(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE))) {
            CircuitBreaker b = breaker(config().waitInOpen(wait).build());
            fail(b, 4);
            assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
            clock.advance(Duration.ofDays(365 * 1000));
            assertThat(b.tryAcquirePermission()).as("a call 1000 years after tripping, waiting %s", wait)
                    .isFalse();
            assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(b.remainingOpenTime()).isGreaterThan(Duration.ofDays(365L * 100_000));
        }
    }
}
