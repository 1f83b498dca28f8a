package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Races made likely with barriers; no sleeping. */
class CircuitBreakerConcurrencyTest {

    private static final Duration FAST = Duration.ofMillis(1);
    private static final RuntimeException DOWN = new IllegalStateException("down");

    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoThreadsCrossingTheThresholdGiveExactlyOneTransitionAndNoLostCounts() throws Exception {
        int repetitions = 10_000;
        CyclicBarrier start = new CyclicBarrier(3);
        CyclicBarrier done = new CyclicBarrier(3);
        AtomicInteger arrived = new AtomicInteger();
        AtomicReference<CircuitBreaker> current = new AtomicReference<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(pool.submit(() -> {
                for (int i = 0; i < repetitions; i++) {
                    await(start);
                    // a barrier wakes its parties microseconds apart; a short spin between the two workers lines them
                    // up to within nanoseconds, which is what makes the race real (bounded: the partner is awake)
                    arrived.incrementAndGet();
                    for (int spins = 0; arrived.get() < 2 * (i + 1) && spins < 20_000; spins++) {
                        Thread.onSpinWait();
                    }
                    current.get().onError(FAST, DOWN);
                    await(done);
                }
            }));
        }
        CircuitBreakerConfig config = CircuitBreakerConfig.builder().slidingWindowSize(10).minimumCalls(4)
                .failureRateThreshold(50).build();
        MutableClock clock = new MutableClock();
        for (int i = 0; i < repetitions; i++) {
            CircuitBreaker b = CircuitBreaker.of("race", config, clock);
            AtomicInteger opened = new AtomicInteger();
            b.onStateTransition(e -> {
                if (e.from() == CircuitBreakerState.CLOSED && e.to() == CircuitBreakerState.OPEN) {
                    opened.incrementAndGet();
                }
            });
            b.onSuccess(FAST);
            b.onSuccess(FAST);
            boolean eachCrosses = i % 2 == 0; // else only the pair together reaches the minimum calls
            if (eachCrosses) {
                b.onError(FAST, DOWN);
            }
            current.set(b);
            await(start);
            await(done);
            assertThat(opened.get()).as("CLOSED->OPEN transitions in repetition %d", i).isEqualTo(1);
            assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(b.metrics().bufferedCalls()).as("buffered in repetition %d", i).isEqualTo(eachCrosses ? 5 : 4);
            assertThat(b.metrics().failedCalls()).as("failed in repetition %d", i).isEqualTo(eachCrosses ? 3 : 2);
        }
        for (Future<?> w : workers) {
            w.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void eightThreadsInHalfOpenGetExactlyThePermittedTrialCalls() throws Exception {
        int threads = 8;
        int repetitions = 1_000;
        int trials = 3;
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier acquired = new CyclicBarrier(threads + 1);
        CyclicBarrier done = new CyclicBarrier(threads + 1);
        AtomicReference<CircuitBreaker> current = new AtomicReference<>();
        AtomicInteger granted = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            workers.add(pool.submit(() -> {
                for (int i = 0; i < repetitions; i++) {
                    await(start);
                    CircuitBreaker b = current.get();
                    boolean permitted = b.tryAcquirePermission();
                    if (permitted) {
                        granted.incrementAndGet();
                    }
                    await(acquired); // every trial is still running while all threads ask
                    if (permitted) {
                        b.onSuccess(FAST);
                    }
                    await(done);
                }
            }));
        }
        CircuitBreakerConfig config = CircuitBreakerConfig.builder().slidingWindowSize(4).minimumCalls(4)
                .waitInOpen(Duration.ofSeconds(5)).permittedCallsInHalfOpen(trials).build();
        MutableClock clock = new MutableClock();
        for (int i = 0; i < repetitions; i++) {
            CircuitBreaker b = CircuitBreaker.of("herd", config, clock);
            List<String> transitions = new CopyOnWriteArrayList<>();
            b.onStateTransition(e -> transitions.add(e.from() + "->" + e.to()));
            b.forceOpen();
            b.reset();
            for (int f = 0; f < 4; f++) {
                b.onError(FAST, DOWN);
            }
            clock.advance(Duration.ofSeconds(5));
            granted.set(0);
            current.set(b);
            await(start);
            await(acquired);
            await(done);
            assertThat(granted.get()).as("trial permits in repetition %d", i).isEqualTo(trials);
            assertThat(b.metrics().notPermittedCalls()).isEqualTo(threads - trials);
            assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->CLOSED", "CLOSED->OPEN",
                    "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        }
        for (Future<?> w : workers) {
            w.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void concurrentRecordsAreNeverLost() throws Exception {
        int perThread = 50_000;
        CircuitBreaker b = CircuitBreaker.of("counts", CircuitBreakerConfig.builder().slidingWindowSize(100_000)
                .minimumCalls(100_000).failureRateThreshold(100).build(), new MutableClock());
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> failures = pool.submit(() -> {
            await(start);
            for (int i = 0; i < perThread; i++) {
                b.onError(FAST, DOWN);
            }
        });
        Future<?> successes = pool.submit(() -> {
            await(start);
            for (int i = 0; i < perThread; i++) {
                b.onSuccess(FAST);
            }
        });
        failures.get(30, TimeUnit.SECONDS);
        successes.get(30, TimeUnit.SECONDS);
        assertThat(b.metrics().bufferedCalls()).isEqualTo(2 * perThread);
        assertThat(b.metrics().failedCalls()).isEqualTo(perThread);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }
}
