package dev.baton.metrics;

import dev.baton.CircuitBreakerConfig;
import dev.baton.NonRetryableException;
import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RetryableException;
import dev.baton.RunHandle;
import dev.baton.event.RunEvent;
import dev.baton.plan.Plan;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many runs from several threads on a real orchestrator (its own worker threads, the system clock): every counter
 * adds up exactly, every ended attempt and run is timed, and nothing is left kept afterwards.
 */
class ConcurrencyStressTest {

    private static final int THREADS = 4;
    private static final int RUNS_PER_THREAD = 500;

    @Test
    @Timeout(120)
    void countersAddUpExactlyUnderConcurrentRuns() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        int total = THREADS * RUNS_PER_THREAD;
        CountDownLatch ends = new CountDownLatch(total);
        try (BatonMetrics metrics = BatonMetrics.builder(registry).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder()
                             .retryPolicy(RetryPolicy.builder().maxAttempts(2)
                                     .backoff(Duration.ofMillis(1), Duration.ofMillis(1)).jitter(0).build())
                             // never trips: the flaky service fails half its calls
                             .circuitBreaker(CircuitBreakerConfig.builder().slidingWindowSize(100_000)
                                     .minimumCalls(100_000).build())
                             .service("ok", ctx -> "fine")
                             .service("flaky", ctx -> {
                                 if (failedOnce.add(ctx.executionId())) {
                                     throw new RetryableException("first attempt");
                                 }
                                 return "second attempt";
                             })
                             .service("bad", ctx -> {
                                 throw new NonRetryableException("never");
                             }))
                     // after the metrics' listener: a run's end has been counted when this hears it
                     .listener((RunEvent e) -> {
                         if (e.isTerminal()) {
                             ends.countDown();
                         }
                     })
                     .build()) {
            metrics.bindTo(o);
            AtomicBoolean submitting = new AtomicBoolean(true);
            Thread reader = new Thread(() -> {
                while (submitting.get()) {
                    registry.get("baton.runs.active").gauge().value();
                    registry.get("baton.service.in.flight").tag("service", "flaky").gauge().value();
                    Thread.onSpinWait();
                }
            }, "gauge-reader");
            reader.start();

            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        List<RunHandle> handles = new ArrayList<>();
                        for (int i = 0; i < RUNS_PER_THREAD; i++) {
                            handles.add(o.submit(plan(i)));
                        }
                        for (RunHandle h : handles) {
                            h.await(Duration.ofSeconds(60));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "submitter-" + t);
                th.start();
                submitters.add(th);
            }
            go.countDown();
            for (Thread th : submitters) {
                th.join(TimeUnit.SECONDS.toMillis(90));
            }
            submitting.set(false);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(failure.get()).isNull();
            assertThat(ends.await(30, TimeUnit.SECONDS)).isTrue();

            long chains = THREADS * count(0);  // ok -> flaky, completes
            long singles = THREADS * count(1); // ok, completes
            long failing = THREADS * count(2); // bad -> ok, fails, the second skipped
            assertThat(chains + singles + failing).isEqualTo(total);

            assertThat(counter(registry, "baton.runs.started")).isEqualTo(total);
            assertThat(counter(registry, "baton.runs.ended", "status", "COMPLETED")).isEqualTo(chains + singles);
            assertThat(counter(registry, "baton.runs.ended", "status", "FAILED")).isEqualTo(failing);
            assertThat(timer(registry, "baton.runs.duration", "status", "COMPLETED")).isEqualTo(chains + singles);
            assertThat(timer(registry, "baton.runs.duration", "status", "FAILED")).isEqualTo(failing);

            assertThat(counter(registry, "baton.tasks.attempts.started", "service", "ok")).isEqualTo(chains + singles);
            assertThat(counter(registry, "baton.tasks.attempts.ended", "service", "ok", "outcome", "COMPLETED"))
                    .isEqualTo(chains + singles);
            assertThat(timer(registry, "baton.tasks.attempts.duration", "service", "ok", "outcome", "COMPLETED"))
                    .isEqualTo(chains + singles);
            assertThat(counter(registry, "baton.tasks.skipped", "service", "ok")).isEqualTo(failing);

            assertThat(counter(registry, "baton.tasks.attempts.started", "service", "flaky")).isEqualTo(2 * chains);
            assertThat(counter(registry, "baton.tasks.attempts.ended", "service", "flaky", "outcome", "FAILED"))
                    .isEqualTo(chains);
            assertThat(counter(registry, "baton.tasks.attempts.ended", "service", "flaky", "outcome", "COMPLETED"))
                    .isEqualTo(chains);
            assertThat(timer(registry, "baton.tasks.attempts.duration", "service", "flaky", "outcome", "FAILED"))
                    .isEqualTo(chains);
            assertThat(counter(registry, "baton.tasks.retries", "service", "flaky")).isEqualTo(chains);

            assertThat(counter(registry, "baton.tasks.attempts.started", "service", "bad")).isEqualTo(failing);
            assertThat(counter(registry, "baton.tasks.attempts.ended", "service", "bad", "outcome", "FAILED"))
                    .isEqualTo(failing);
            assertThat(counter(registry, "baton.tasks.dead.letters", "service", "bad")).isZero();

            assertThat(registry.find("baton.tasks.attempts.started").tag("service", BatonMetrics.UNKNOWN_SERVICE)
                    .counter()).isNull();
            assertThat(metrics.trackedRuns()).isZero();
            assertThat(metrics.trackedAttempts()).isZero();
        }
    }

    /** How many of one thread's runs have plan kind {@code kind}. */
    private static long count(int kind) {
        long n = 0;
        for (int i = 0; i < RUNS_PER_THREAD; i++) {
            if (i % 3 == kind) {
                n++;
            }
        }
        return n;
    }

    private static Plan plan(int i) {
        switch (i % 3) {
            case 0:
                return Plan.builder().task("x", "ok", Map.of()).task("y", "flaky", Map.of("in", "$x")).build();
            case 1:
                return Plan.builder().task("x", "ok", Map.of()).build();
            default:
                return Plan.builder().task("b", "bad", Map.of()).task("s", "ok", Map.of("in", "$b")).build();
        }
    }

    private static long counter(SimpleMeterRegistry r, String name, String... tags) {
        return (long) r.get(name).tags(tags).counter().count();
    }

    private static long timer(SimpleMeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).timer().count();
    }
}
