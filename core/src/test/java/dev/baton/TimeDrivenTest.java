package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.persistence.LogInvariants;
import dev.baton.time.Cancellable;
import dev.baton.time.ManualTime;
import dev.baton.time.Scheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Timeouts and retention, driven by {@link ManualTime} and a direct executor: no sleeping, no waiting. */
class TimeDrivenTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
    private final InMemoryRunStore store = new InMemoryRunStore();

    @Test
    void attemptTimeoutFiresAtTheRightMomentAndCancelsTheStage() {
        CompletableFuture<Object> never = new CompletableFuture<>();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.none())
                .asyncService(ServiceDescriptor.of("hang"), ctx -> never,
                        ServiceOptions.builder().timeout(Duration.ofSeconds(5)).build())
                .build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "hang", Map.of()).build());
            RunView running = o.inspect(h.runId()).orElseThrow();
            assertThat(running.task("a").orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);

            time.advance(Duration.ofMillis(4_999));
            assertThat(h.result()).isNotDone();
            time.advance(Duration.ofMillis(1));

            RunResult r = h.result().getNow(null);
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("TIMEOUT");
            assertThat(never).isCancelled();
            RunView v = o.inspect(h.runId()).orElseThrow();
            assertThat(v.endedAt()).isEqualTo(Instant.parse("2026-03-01T10:00:05Z"));
        }
    }

    @Test
    void durationsPastTheRangeOfInstantsMeanForEverAndNothingOverflows() {
        // every duration option takes any positive length; these are far past what Instant and toNanos can hold
        Duration forEver = Duration.ofSeconds(Long.MAX_VALUE);
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofMillis(100), forEver).build())
                .circuitBreaker(CircuitBreakerConfig.builder().waitInOpen(forEver).build())
                .service(ServiceDescriptor.of("busy"), ctx -> {
                    assertThat(ctx.deadline()).contains(Instant.MAX);
                    calls.incrementAndGet();
                    throw new RetryableException("busy", forEver);
                }, ServiceOptions.builder().timeout(forEver).build())
                .build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "busy", Map.of()).build(),
                    RunOptions.builder().timeout(forEver).build());

            // the retry waits the longest delay a policy gives (Long.MAX_VALUE ns, about 292 years), recorded whole
            Instant retryAt = time.instant().plus(Duration.ofNanos(Long.MAX_VALUE));
            assertThat(h.result()).isNotDone();
            assertThat(o.inspect(h.runId()).orElseThrow().task("a").orElseThrow().status())
                    .isEqualTo(TaskStatus.PENDING);
            assertThat(store.events(h.runId())).anySatisfy(e -> assertThat(e)
                    .isInstanceOfSatisfying(dev.baton.event.TaskRetryScheduled.class,
                            r -> assertThat(r.notBefore()).isEqualTo(retryAt)));

            // not advanced to it: the retention purge would run every ten minutes of the 292 years on the way
            assertThat(time.dueTimes()).contains(retryAt);
            time.advance(Duration.ofDays(1));
            assertThat(calls).hasValue(1);
            h.cancel();
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
    }

    /** The timers due within five minutes of {@code from}: not the retention purge's, ten minutes on. */
    private java.util.List<Instant> dueSoonAfter(Instant from) {
        return time.dueTimes().stream().filter(t -> !t.isAfter(from.plus(Duration.ofMinutes(5)))).toList();
    }

    @Test
    void anAttemptWhoseDeadlineIsTheRunsIsStoppedByTheRunsTimeoutAlone() {
        // with two timers due at one instant, a real scheduler may run either first: the attempt arms none when the
        // run's timeout ends first (or at the same time), so the run always ends RUN_TIMEOUT, never TIMEOUT
        Instant start = time.instant();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.none())
                .asyncService("hang", ctx -> new CompletableFuture<>())
                .asyncService(ServiceDescriptor.of("hangTie"), ctx -> new CompletableFuture<>(),
                        ServiceOptions.builder().timeout(Duration.ofMinutes(1)).build())
                .asyncService(ServiceDescriptor.of("hangShort"), ctx -> new CompletableFuture<>(),
                        ServiceOptions.builder().timeout(Duration.ofSeconds(30)).build())
                .build()) {
            for (String service : new String[]{"hang", "hangTie"}) {
                RunHandle h = o.submit(Plan.builder().task("a", service, Map.of()).build(),
                        RunOptions.builder().timeout(Duration.ofMinutes(1)).build());
                assertThat(dueSoonAfter(start)).as(service)
                        .containsExactly(start.plus(Duration.ofMinutes(1)));
                time.advance(Duration.ofMinutes(1));
                RunResult r = h.result().getNow(null);
                assertThat(r.error().orElseThrow().code()).as(service).isEqualTo("RUN_TIMEOUT");
                assertThat(o.deadLetters()).as(service).isEmpty();
                start = time.instant();
            }
            // an attempt's own shorter timeout still has its own timer
            RunHandle h = o.submit(Plan.builder().task("a", "hangShort", Map.of()).build(),
                    RunOptions.builder().timeout(Duration.ofMinutes(1)).build());
            assertThat(dueSoonAfter(start))
                    .containsExactlyInAnyOrder(start.plus(Duration.ofSeconds(30)), start.plus(Duration.ofMinutes(1)));
            time.advance(Duration.ofSeconds(30));
            assertThat(h.result().getNow(null).error().orElseThrow().code()).isEqualTo("TIMEOUT");
        }
    }

    @Test
    void deadlineIsVisibleToTheHandler() {
        AtomicInteger seen = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .service(ServiceDescriptor.of("svc"), ctx -> {
                    assertThat(ctx.deadline()).contains(Instant.parse("2026-03-01T10:00:02Z"));
                    return seen.incrementAndGet();
                }, ServiceOptions.builder().timeout(Duration.ofSeconds(2)).build())
                .build()) {
            RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).result().getNow(null);
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(seen).hasValue(1);
        }
    }

    @Test
    void runTimeoutFailsTheRunAndSkipsTheRest() {
        CompletableFuture<Object> never = new CompletableFuture<>();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .asyncService("hang", ctx -> never)
                .service("next", ctx -> 1)
                .build()) {
            Plan plan = Plan.builder().task("a", "hang", Map.of()).task("b", "next", Map.of("x", "$a")).build();
            RunHandle h = o.submit(plan, RunOptions.builder().timeout(Duration.ofMinutes(1)).build());

            time.advance(Duration.ofSeconds(59));
            assertThat(h.result()).isNotDone();
            time.advance(Duration.ofSeconds(1));

            RunResult r = h.result().getNow(null);
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("RUN_TIMEOUT");
            assertThat(r.error().orElseThrow().taskId()).isNull();
            RunView v = o.inspect(h.runId()).orElseThrow();
            assertThat(v.task("a").orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(v.task("b").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
            assertThat(never).isCancelled();
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
    }

    @Test
    void finishedRunsAreKeptForTheRetentionWindowThenTheIdMayBeReused() {
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retention(Duration.ofHours(24))
                .service("svc", ctx -> calls.incrementAndGet())
                .build()) {
            Plan plan = Plan.builder().task("a", "svc", Map.of()).build();
            RunOptions opts = RunOptions.builder().runId("daily").build();
            RunResult first = o.submit(plan, opts).result().getNow(null);
            assertThat(first.output("a")).isEqualTo(1);

            time.advance(Duration.ofHours(23));
            assertThat(o.submit(plan, opts).result().getNow(null)).isEqualTo(first);
            assertThat(calls).hasValue(1);

            time.advance(Duration.ofHours(2));
            assertThat(o.inspect("daily")).isEmpty();
            RunResult again = o.submit(plan, opts).result().getNow(null);
            assertThat(again.output("a")).isEqualTo(2);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void aHandleOfAPurgedRunDoesNotCancelTheNewRunThatReusedItsId() {
        java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO).retention(Duration.ofMinutes(1))
                .asyncService("svc", ctx -> hang.get() ? new CompletableFuture<>() : CompletableFuture.completedFuture(1))
                .build()) {
            Plan plan = Plan.builder().task("a", "svc", Map.of()).build();
            RunOptions opts = RunOptions.builder().runId("reused").build();
            RunHandle old = o.submit(plan, opts);
            assertThat(old.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
            time.advance(Duration.ofMinutes(2));
            assertThat(o.inspect("reused")).isEmpty();

            hang.set(true);
            RunHandle fresh = o.submit(plan, opts);
            assertThat(old.cancel()).isFalse(); // its run had ended; before the fix it cancelled the new one
            assertThat(o.inspect("reused").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            assertThat(fresh.cancel()).isTrue();
            assertThat(fresh.result().getNow(null).status()).isEqualTo(RunStatus.CANCELLED);
        }
    }

    /**
     * A scheduler that works until it is told to refuse, then throws as a shut-down executor does. The engine hands
     * what it refuses to a timer of its own, which counts real time: these tests use delays of milliseconds and wait
     * for the outcome (a bounded wait, not a sleep).
     */
    private final AtomicBoolean refuse = new AtomicBoolean();
    private final Scheduler refusing = (delay, action) -> {
        if (refuse.get()) {
            throw new RejectedExecutionException("the application's timer is shut down");
        }
        return time.schedule(delay, action);
    };

    @Test
    void aRetryTheSchedulerRefusesStillRunsAfterItsBackoff() {
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).clock(time).scheduler(refusing)
                .executor(Runnable::run)
                .retryPolicy(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofMillis(5), Duration.ofMillis(5))
                        .jitter(0).build())
                .service("flaky", ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new RetryableException("once");
                    }
                    return "ok";
                })
                .build()) {
            refuse.set(true);
            // before the guard the retry was never scheduled and the run stayed RUNNING for ever
            RunHandle h = o.submit(Plan.builder().task("a", "flaky", Map.of()).build());
            RunResult r = h.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("a")).isEqualTo("ok");
            assertThat(calls).hasValue(2);
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
    }

    @Test
    void aRunTimeoutTheSchedulerRefusesStillFires() {
        CompletableFuture<Object> never = new CompletableFuture<>();
        try (Orchestrator o = Orchestrator.builder().store(store).clock(time).scheduler(refusing)
                .executor(Runnable::run)
                .asyncService("hang", ctx -> never)
                .build()) {
            refuse.set(true);
            // before the guard the refusal escaped from the run's start: nothing ran and nothing ended it
            RunHandle h = o.submit(Plan.builder().task("a", "hang", Map.of()).build(),
                    RunOptions.builder().timeout(Duration.ofMillis(20)).build());
            RunResult r = h.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("RUN_TIMEOUT");
            assertThat(never).isCancelled();
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
    }

    @Test
    void anOrchestratorBuildsAndRunsOnASchedulerThatRefusesFromTheStart() {
        refuse.set(true); // the build's own delays (the retention purge) are refused too
        try (Orchestrator o = Orchestrator.builder().store(store).clock(time).scheduler(refusing)
                .executor(Runnable::run).service("svc", ctx -> 1).build()) {
            RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void aSchedulerThatGivesNoHandleIsTakenAsScheduledWithNothingToCancel() {
        Scheduler noHandle = (delay, action) -> {
            time.schedule(delay, action);
            return null;
        };
        try (Orchestrator o = Orchestrator.builder().store(store).clock(time).scheduler(noHandle)
                .executor(Runnable::run)
                .service(ServiceDescriptor.of("svc"), ctx -> "done",
                        ServiceOptions.builder().timeout(Duration.ofSeconds(5)).build())
                .build()) {
            // the attempt's timeout timer is cancelled when it completes: with no handle there is nothing to call
            RunHandle h = o.submit(Plan.builder().task("a", "svc", Map.of()).build());
            RunResult r = h.result().getNow(null);
            assertThat(r).isNotNull();
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            // the timer still fires at the deadline; the attempt is over, so it changes nothing
            time.advance(Duration.ofSeconds(10));
            assertThat(o.inspect(h.runId()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
    }
}
