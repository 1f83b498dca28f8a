package dev.baton;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries, timeouts, breakers and dead letters inside the engine, driven by ManualTime and a direct executor. */
class ResilienceEngineTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-05-01T00:00:00Z"));
    private final InMemoryRunStore store = new InMemoryRunStore();

    private Orchestrator.Builder base() {
        return Orchestrator.builder().store(store).time(time).executor(Runnable::run);
    }

    private List<Instant> retryTimes(String runId) {
        return store.events(runId).stream().filter(e -> e instanceof TaskRetryScheduled)
                .map(e -> ((TaskRetryScheduled) e).notBefore()).toList();
    }

    private List<Instant> startTimes(String runId) {
        return store.events(runId).stream().filter(e -> e instanceof TaskStarted).map(RunEvent::at).toList();
    }

    @Test
    void flakyServiceRecoversThroughRetriesWithBackoffInsideItsJitterBounds() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(4).backoff(Duration.ofSeconds(1), Duration.ofSeconds(3))
                .multiplier(2).jitter(0.25).build();
        try (Orchestrator o = base().retryPolicy(policy).service("flaky", ctx -> {
            if (calls.incrementAndGet() < 4) {
                throw new IllegalStateException("try again");
            }
            return Map.of("ok", true, "attempt", ctx.attempt(), "exec", ctx.executionId());
        }).build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "flaky", Map.of()).build(),
                    RunOptions.builder().runId("flaky-run").build());
            time.advance(Duration.ofSeconds(30));
            RunResult r = h.result().getNow(null);

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("a")).isEqualTo(Map.of("ok", true, "attempt", 4, "exec", "flaky-run/a"));
            assertThat(calls).hasValue(4);
            List<Instant> starts = startTimes("flaky-run");
            assertThat(starts).hasSize(4);
            // delays 1 s, 2 s, 3 s (capped), each within +-25 % and never above the cap
            long[][] bounds = {{750, 1250}, {1500, 2500}, {2250, 3000}};
            for (int k = 0; k < 3; k++) {
                long ms = Duration.between(starts.get(k), starts.get(k + 1)).toMillis();
                assertThat(ms).as("delay " + (k + 1)).isBetween(bounds[k][0], bounds[k][1]);
            }
            assertThat(o.deadLetters()).isEmpty();
            assertThat(LogInvariants.check(store.events("flaky-run"))).isEmpty();
            // its latest attempt succeeded: inspect shows no error (it showed attempt 3's, unlike the live run)
            TaskView a = o.inspect("flaky-run").orElseThrow().task("a").orElseThrow();
            assertThat(a.attempts()).isEqualTo(4);
            assertThat(a.lastError()).isNull();
        }
    }

    @Test
    void retryAfterIsHonouredWithinThePolicyBounds() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).backoff(Duration.ofMillis(100), Duration.ofSeconds(10))
                .jitter(0).build();
        try (Orchestrator o = base().retryPolicy(policy).service("limited", ctx -> {
            if (calls.incrementAndGet() == 1) {
                throw new RetryableException("429 Too Many Requests", Duration.ofSeconds(7));
            }
            return "done";
        }).build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "limited", Map.of()).build(),
                    RunOptions.builder().runId("ra").build());
            assertThat(retryTimes("ra")).containsExactly(Instant.parse("2026-05-01T00:00:07Z"));
            time.advance(Duration.ofMillis(6_999));
            assertThat(calls).hasValue(1);
            time.advance(Duration.ofMillis(1));
            assertThat(calls).hasValue(2);
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void nonRetryableFailsAtOnceWithoutDeadLetter() {
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = base().service("strict", ctx -> {
            calls.incrementAndGet();
            throw new NonRetryableException("bad input: amount must be positive");
        }).build()) {
            RunResult r = o.submit(Plan.builder().task("a", "strict", Map.of()).build()).result().getNow(null);
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().message()).isEqualTo("bad input: amount must be positive");
            assertThat(calls).hasValue(1);
            assertThat(o.deadLetters()).isEmpty();
        }
    }

    @Test
    void timedOutAttemptsAreRetriedThenDeadLetteredWithEveryAttemptAndRedrivenAfterTheFix() {
        AtomicBoolean fixed = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .jitter(0).build();
        try (Orchestrator o = base().retryPolicy(policy)
                .asyncService(ServiceDescriptor.of("hangs"), ctx -> {
                    calls.incrementAndGet();
                    return fixed.get() ? java.util.concurrent.CompletableFuture.completedFuture("fine")
                            : new java.util.concurrent.CompletableFuture<>();
                }, ServiceOptions.builder().timeout(Duration.ofSeconds(2)).build())
                .service("after", ctx -> ctx.input().get("x"))
                .build()) {
            Plan plan = Plan.builder().params(Map.of("p", 1)).task("a", "hangs", Map.of("p", "$task0.p"))
                    .task("b", "after", Map.of("x", "$a")).build();
            RunHandle h = o.submit(plan, RunOptions.builder().runId("dl").build());
            time.advance(Duration.ofSeconds(2)); // attempt 1 times out
            time.advance(Duration.ofSeconds(1)); // retry starts
            time.advance(Duration.ofSeconds(2)); // attempt 2 times out: exhausted
            RunResult failed = h.result().getNow(null);
            assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
            assertThat(failed.error().orElseThrow().code()).isEqualTo("TIMEOUT");
            assertThat(calls).hasValue(2);

            List<DeadLetter> dls = o.deadLetters();
            assertThat(dls).singleElement().satisfies(d -> {
                assertThat(d.runId()).isEqualTo("dl");
                assertThat(d.taskId()).isEqualTo("a");
                assertThat(d.service()).isEqualTo("hangs");
                assertThat(d.executionId()).isEqualTo("dl/a");
                assertThat(d.input()).isEqualTo(Map.of("p", 1));
                assertThat(d.attempts()).extracting(DeadLetter.AttemptError::attempt).containsExactly(1, 2);
                assertThat(d.attempts()).extracting(DeadLetter.AttemptError::code).containsOnly("TIMEOUT");
            });
            assertThat(o.inspect("dl").orElseThrow().task("b").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);

            fixed.set(true);
            RunResult redriven = o.redrive(dls.get(0)).result().getNow(null);
            assertThat(redriven.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(redriven.output("b")).isEqualTo("fine");
            assertThat(o.deadLetters()).isEmpty();
            RunView v = o.inspect("dl").orElseThrow();
            assertThat(v.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(v.task("a").orElseThrow().executionId()).isEqualTo("dl/a");
            assertThat(v.task("a").orElseThrow().attempts()).isEqualTo(3);
            assertThat(LogInvariants.check(store.events("dl"))).isEmpty();
            assertThatThrownBy(() -> o.redrive("dl", "a")).isInstanceOf(BatonException.class)
                    .hasMessageContaining("not on the dead-letter list");
        }
    }

    /** a, then b (reads a), then c (reads b), one group each, run on past a failure. */
    private static Plan chainInGroups() {
        return Plan.builder().task("a", "flaky", Map.of()).task("b", "svc", Map.of("x", "$a"))
                .task("c", "svc", Map.of("x", "$b"))
                .parallelGroups(List.of(List.of("a"), List.of("b"), List.of("c"))).build();
    }

    private Orchestrator chainOrchestrator(InMemoryRunStore on, AtomicBoolean broken) {
        return Orchestrator.builder().store(on).time(time).executor(Runnable::run).retryPolicy(RetryPolicy.none())
                .service("flaky", ctx -> {
                    if (broken.get()) {
                        throw new IllegalStateException("down");
                    }
                    return 1;
                })
                .service("svc", ctx -> ctx.input().get("x"))
                .build();
    }

    @Test
    void aRedriveInGroupsRunsEveryTaskTheFailureSkippedThroughTheGroupsItClosed() {
        AtomicBoolean broken = new AtomicBoolean(true);
        try (Orchestrator o = chainOrchestrator(store, broken)) {
            RunOptions continueOn = RunOptions.builder().runId("chain").failurePolicy(FailurePolicy.CONTINUE).build();
            assertThat(o.submit(chainInGroups(), continueOn).result().getNow(null).status())
                    .isEqualTo(RunStatus.FAILED);
            // both are skipped because of a, also c, whose group opened after b's was closed by the skip
            assertThat(store.events("chain")).filteredOn(e -> e instanceof dev.baton.event.TaskSkipped)
                    .extracting(e -> ((dev.baton.event.TaskSkipped) e).taskId() + "<-"
                            + ((dev.baton.event.TaskSkipped) e).cause())
                    .containsExactly("b<-a", "c<-a");

            broken.set(false);
            RunResult redriven = o.redrive("chain", "a").result().getNow(null);
            assertThat(redriven.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(redriven.outputs()).containsEntry("c", 1);
            assertThat(LogInvariants.check(store.events("chain"))).isEmpty();
        }
    }

    @Test
    void aRedriveAlsoRunsWhatALogSaysWasSkippedBecauseOfATaskTheFailureSkipped() {
        AtomicBoolean broken = new AtomicBoolean(true);
        try (Orchestrator o = chainOrchestrator(store, broken)) {
            o.submit(chainInGroups(), RunOptions.builder().runId("old").failurePolicy(FailurePolicy.CONTINUE).build());
        }
        // the log as an earlier version wrote it: c skipped with the skipped b as its cause
        InMemoryRunStore older = new InMemoryRunStore();
        List<RunEvent> log = new ArrayList<>();
        for (RunEvent e : store.events("old")) {
            log.add(e instanceof dev.baton.event.TaskSkipped sk && sk.taskId().equals("c")
                    ? new dev.baton.event.TaskSkipped(sk.runId(), sk.seq(), sk.at(), "c", "b") : e);
        }
        older.append("old", 0, log, null, time.instant());
        broken.set(false);
        try (Orchestrator o = chainOrchestrator(older, broken)) {
            RunResult redriven = o.redrive("old", "a").result().getNow(null);
            assertThat(redriven.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(redriven.outputs()).containsEntry("b", 1).containsEntry("c", 1);
            assertThat(LogInvariants.check(older.events("old"))).isEmpty();
        }
    }

    @Test
    void failingFastLetsATaskThatWasRunningFinishItsRetriesAndTheRunEndsWithTheFirstFailure() {
        java.util.concurrent.CompletableFuture<Object> firstAttempt = new java.util.concurrent.CompletableFuture<>();
        AtomicInteger slowCalls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .jitter(0).build();
        try (Orchestrator o = base().retryPolicy(policy)
                .service("bad", ctx -> {
                    throw new NonRetryableException("no");
                })
                .asyncService("slow", ctx -> slowCalls.incrementAndGet() == 1 ? firstAttempt
                        : java.util.concurrent.CompletableFuture.completedFuture("late"))
                .build()) {
            RunHandle h = o.submit(Plan.builder().task("b", "slow", Map.of()).task("a", "bad", Map.of()).build());
            assertThat(h.result()).isNotDone(); // a failed, b still running

            firstAttempt.completeExceptionally(new IllegalStateException("transient"));
            assertThat(h.result()).as("b's retry is pending").isNotDone();
            time.advance(Duration.ofSeconds(1));

            RunResult r = h.result().getNow(null);
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("a");
            assertThat(slowCalls).hasValue(2);
            assertThat(r.output("b")).isEqualTo("late");
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
    }

    @Test
    void aRunTimeoutWhileFailingFastCutsTheRunningTasksShortButTheRunKeepsItsFirstFailure() {
        java.util.concurrent.CompletableFuture<Object> never = new java.util.concurrent.CompletableFuture<>();
        try (Orchestrator o = base()
                .service("bad", ctx -> {
                    throw new NonRetryableException("no");
                })
                .asyncService("slow", ctx -> never)
                .build()) {
            RunHandle h = o.submit(Plan.builder().task("b", "slow", Map.of()).task("a", "bad", Map.of()).build(),
                    RunOptions.builder().timeout(Duration.ofSeconds(5)).build());
            assertThat(h.result()).isNotDone(); // a failed, b still running
            time.advance(Duration.ofSeconds(5));

            RunResult r = h.result().getNow(null);
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("a");
            assertThat(r.error().orElseThrow().message()).contains("no");
            RunView v = o.inspect(h.runId()).orElseThrow();
            assertThat(v.error()).isEqualTo(r.error());
            assertThat(v.task("b").orElseThrow().lastError().code()).isEqualTo("RUN_TIMEOUT");
            assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
        }
        // read back from the log, the run has the same error
        try (Orchestrator o = base().service("bad", ctx -> Map.of()).service("slow", ctx -> Map.of()).build()) {
            assertThat(o.runs(dev.baton.RunQuery.recent())).singleElement()
                    .satisfies(v -> assertThat(v.error().orElseThrow().taskId()).isEqualTo("a"));
        }
    }

    @Test
    void deadLettersAreReadInPagesOldestFirst() {
        RetryPolicy once = RetryPolicy.builder().maxAttempts(1).build();
        try (Orchestrator o = base().retryPolicy(once)
                .service("fails", ctx -> {
                    throw new IllegalStateException("down");
                })
                .build()) {
            for (int i = 0; i < 5; i++) {
                String id = "dl-" + i;
                Plan plan = Plan.builder().task("a", "fails", Map.of()).task("b", "fails", Map.of()).build();
                assertThat(o.submit(plan, RunOptions.builder().runId(id).failurePolicy(FailurePolicy.CONTINUE)
                        .build()).result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
                time.advance(Duration.ofSeconds(1)); // each run's dead letters a second after the last's
            }
            List<DeadLetter> all = o.deadLetters();
            assertThat(all).hasSize(10);
            assertThat(all).extracting(d -> d.runId() + "/" + d.taskId()).containsExactly("dl-0/a", "dl-0/b",
                    "dl-1/a", "dl-1/b", "dl-2/a", "dl-2/b", "dl-3/a", "dl-3/b", "dl-4/a", "dl-4/b");

            List<DeadLetter> paged = new ArrayList<>();
            for (List<DeadLetter> page = o.deadLetters(null, 4); !page.isEmpty();
                 page = o.deadLetters(page.get(page.size() - 1), 4)) {
                assertThat(page).hasSizeLessThanOrEqualTo(4);
                paged.addAll(page);
            }
            assertThat(paged).isEqualTo(all);

            o.redrive(all.get(3)); // fails again: dead-lettered anew, now the newest
            assertThat(o.deadLetters(all.get(3), 3)).extracting(d -> d.runId() + "/" + d.taskId())
                    .containsExactly("dl-2/a", "dl-2/b", "dl-3/a");
            assertThat(o.deadLetters(null, 20)).last().extracting(d -> d.runId() + "/" + d.taskId())
                    .isEqualTo("dl-1/b");
            assertThatThrownBy(() -> o.deadLetters(null, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit");
        }
    }

    @Test
    void openBreakerRejectsWithoutCallingAndTheRetryWaitsForTheHalfOpenTrial() {
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean healthy = new AtomicBoolean();
        CircuitBreakerConfig breaker = CircuitBreakerConfig.builder().slidingWindowSize(4).minimumCalls(4)
                .failureRateThreshold(50).waitInOpen(Duration.ofSeconds(30)).permittedCallsInHalfOpen(1).build();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).backoff(Duration.ofSeconds(1), Duration.ofSeconds(5))
                .jitter(0).build();
        List<CircuitBreakerTransition> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Orchestrator o = base().circuitBreaker(breaker).retryPolicy(RetryPolicy.none())
                .breakerListener(transitions::add)
                .service(ServiceDescriptor.of("dead"), ctx -> {
                    calls.incrementAndGet();
                    if (!healthy.get()) {
                        throw new IllegalStateException("connection refused");
                    }
                    return "back";
                }, ServiceOptions.builder().retryPolicy(policy).build())
                .build()) {
            // 2 runs x 2 attempts (1 s apart) = 4 failures: the breaker opens
            o.submit(Plan.builder().task("a", "dead", Map.of()).build());
            o.submit(Plan.builder().task("a", "dead", Map.of()).build());
            time.advance(Duration.ofSeconds(1));
            assertThat(calls).hasValue(4);
            assertThat(o.circuitBreaker("dead").state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(o.status().services().get("dead").breakerState()).isEqualTo(CircuitBreakerState.OPEN);

            // a new run: its first attempt is rejected without reaching the handler, and its retry waits out the breaker
            healthy.set(true);
            RunHandle h = o.submit(Plan.builder().task("a", "dead", Map.of()).build(), RunOptions.builder().runId("waits").build());
            assertThat(calls).hasValue(4);
            RunView v = o.inspect("waits").orElseThrow();
            assertThat(v.task("a").orElseThrow().lastError().code()).isEqualTo("CIRCUIT_OPEN");
            assertThat(retryTimes("waits")).singleElement()
                    .satisfies(t -> assertThat(t).isAfterOrEqualTo(Instant.parse("2026-05-01T00:00:30Z")));
            time.advance(Duration.ofSeconds(29));
            assertThat(calls).hasValue(4);
            time.advance(Duration.ofSeconds(1));
            assertThat(calls).hasValue(5);
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(o.circuitBreaker("dead").state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(transitions).extracting(CircuitBreakerTransition::to).containsExactly(
                    CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.CLOSED);
        }
    }

    @Test
    void aSlowCallThresholdSeesHowLongEachSuccessfulCallTookOnTheEnginesClock() {
        // the engine reads the clock for a call's duration only when the breaker compares durations: a successful
        // call that takes 2 s on the injected clock counts as slow, one that takes no time does not
        CircuitBreakerConfig breaker = CircuitBreakerConfig.builder().slidingWindowSize(4).minimumCalls(4)
                .failureRateThreshold(50).slowCallThreshold(Duration.ofSeconds(1)).slowCallRateThreshold(50)
                .waitInOpen(Duration.ofSeconds(30)).build();
        AtomicBoolean slow = new AtomicBoolean();
        try (Orchestrator o = base().circuitBreaker(breaker).retryPolicy(RetryPolicy.none())
                .service("svc", ctx -> {
                    if (slow.get()) {
                        time.advance(Duration.ofSeconds(2));
                    }
                    return "ok";
                })
                .build()) {
            for (int k = 0; k < 4; k++) {
                assertThat(o.submit(Plan.builder().task("a", "svc", Map.of()).build()).result().getNow(null).status())
                        .isEqualTo(RunStatus.COMPLETED);
            }
            assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.CLOSED);
            slow.set(true);
            for (int k = 0; k < 2; k++) {
                assertThat(o.submit(Plan.builder().task("a", "svc", Map.of()).build()).result().getNow(null).status())
                        .isEqualTo(RunStatus.COMPLETED);
            }
            // the last 4 calls: 2 fast, 2 slow, so half are slow and the breaker opens
            assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(o.circuitBreaker("svc").metrics().slowCalls()).isEqualTo(2);
        }
    }

    @Test
    void aThrowingBreakerListenerIsIgnored() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger thrown = new AtomicInteger();
        AtomicBoolean healthy = new AtomicBoolean();
        CircuitBreakerConfig breaker = CircuitBreakerConfig.builder().slidingWindowSize(2).minimumCalls(2)
                .failureRateThreshold(50).waitInOpen(Duration.ofSeconds(30)).permittedCallsInHalfOpen(1).build();
        List<CircuitBreakerTransition> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Orchestrator o = base().circuitBreaker(breaker).retryPolicy(RetryPolicy.none())
                // one listener throws an exception, one an error (an assertion in a listener, say); the last records
                .breakerListener(t -> {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("listener bug");
                })
                .breakerListener(t -> {
                    thrown.incrementAndGet();
                    throw new AssertionError("listener assertion");
                })
                .breakerListener(transitions::add)
                .service("svc", ctx -> {
                    calls.incrementAndGet();
                    if (!healthy.get()) {
                        throw new IllegalStateException("connection refused");
                    }
                    return "back";
                })
                .build()) {
            o.submit(Plan.builder().task("a", "svc", Map.of()).build(), RunOptions.builder().runId("f1").build());
            // the second failure opens the breaker: its listeners throw while the task's failure is being recorded
            RunHandle opening = o.submit(Plan.builder().task("a", "svc", Map.of()).build(),
                    RunOptions.builder().runId("f2").build());
            RunResult r = opening.result().getNow(null);
            assertThat(r).as("the run that opened the breaker ended").isNotNull();
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).get().satisfies(e -> {
                assertThat(e.code()).isEqualTo("HANDLER_ERROR");
                assertThat(e.message()).contains("connection refused");
            });
            assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(transitions).extracting(CircuitBreakerTransition::to).containsExactly(CircuitBreakerState.OPEN);

            // while open: rejected without a call
            RunResult rejected = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).result().getNow(null);
            assertThat(rejected.error()).get().satisfies(e -> assertThat(e.code()).isEqualTo("CIRCUIT_OPEN"));
            assertThat(calls).hasValue(2);

            // later transitions still happen and still reach every listener
            healthy.set(true);
            time.advance(Duration.ofSeconds(30));
            RunResult trial = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).result().getNow(null);
            assertThat(trial.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(trial.output("a")).isEqualTo("back");
            assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(transitions).extracting(CircuitBreakerTransition::to).containsExactly(
                    CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.CLOSED);
            assertThat(thrown).as("both throwing listeners were called on every transition").hasValue(6);
            assertThat(o.status().activeRuns()).isZero();
            for (String run : List.of("f1", "f2")) {
                assertThat(LogInvariants.check(store.events(run))).isEmpty();
            }
        }
    }

    @Test
    void capacityQueueShowsInStatus() {
        java.util.concurrent.CompletableFuture<Object> gate = new java.util.concurrent.CompletableFuture<>();
        try (Orchestrator o = base().asyncService(ServiceDescriptor.of("pool"), ctx -> gate,
                ServiceOptions.builder().capacity(2).build()).build()) {
            Plan.Builder b = Plan.builder();
            for (int i = 0; i < 5; i++) {
                b.task("t" + i, "pool", Map.of());
            }
            RunHandle h = o.submit(b.build());
            OrchestratorStatus s = o.status();
            assertThat(s.activeRuns()).isEqualTo(1);
            assertThat(s.runningTasks()).isEqualTo(2);
            OrchestratorStatus.ServiceStatus pool = s.services().get("pool");
            assertThat(pool.inFlight()).isEqualTo(2);
            assertThat(pool.queued()).isEqualTo(3);
            assertThat(pool.utilisation()).isEqualTo(1.0);
            gate.complete("x");
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void aCancelledRunLeavesTheCapacityQueueAndTheRestKeepTheirOrder() {
        List<java.util.concurrent.CompletableFuture<Object>> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Orchestrator o = base().shutdownTimeout(Duration.ZERO).asyncService(ServiceDescriptor.of("pool"), ctx -> {
            started.add(ctx.runId());
            java.util.concurrent.CompletableFuture<Object> f = new java.util.concurrent.CompletableFuture<>();
            stages.add(f);
            return f;
        }, ServiceOptions.builder().capacity(1).build()).build()) {
            Plan plan = Plan.builder().task("a", "pool", Map.of()).build();
            List<RunHandle> h = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                h.add(o.submit(plan, RunOptions.builder().runId("r" + i).build()));
            }
            assertThat(started).containsExactly("r1");
            assertThat(o.status().services().get("pool").queued()).isEqualTo(3);

            assertThat(h.get(1).cancel()).isTrue(); // r2 waits for the slot
            // no longer counted as queued (it was until its ticket reached the head of the queue)
            assertThat(o.status().services().get("pool").queued()).isEqualTo(2);
            assertThat(o.inspect("r2").orElseThrow().task("a").orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);

            stages.get(0).complete("one");
            assertThat(started).containsExactly("r1", "r3"); // FIFO, r2 skipped, its slot not leaked
            assertThat(h.get(2).cancel()).isTrue(); // r3 holds the slot: cancelling it hands the slot on
            assertThat(started).containsExactly("r1", "r3", "r4");
            stages.get(2).complete("four");
            assertThat(h.get(3).result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
            OrchestratorStatus.ServiceStatus pool = o.status().services().get("pool");
            assertThat(pool.inFlight()).isZero();
            assertThat(pool.queued()).isZero();
            o.submit(plan, RunOptions.builder().runId("r5").build());
            assertThat(started).containsExactly("r1", "r3", "r4", "r5");
        }
    }

    @Test
    void aRunThatFailsFastLeavesTheCapacityQueue() {
        java.util.concurrent.CompletableFuture<Object> gate = new java.util.concurrent.CompletableFuture<>();
        try (Orchestrator o = base().shutdownTimeout(Duration.ZERO).retryPolicy(RetryPolicy.none())
                .asyncService(ServiceDescriptor.of("pool"), ctx -> gate, ServiceOptions.builder().capacity(1).build())
                .asyncService("bad", ctx -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no")))
                .build()) {
            RunHandle holder = o.submit(Plan.builder().task("a", "pool", Map.of()).build());
            Plan plan = Plan.builder().task("p", "pool", Map.of()).task("q", "pool", Map.of())
                    .task("b", "bad", Map.of()).build();
            RunHandle h = o.submit(plan, RunOptions.builder().schedulingMode(SchedulingMode.EAGER).build());
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
            assertThat(o.status().services().get("pool").queued()).isZero();
            gate.complete("x");
            assertThat(holder.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void aRedriveThatFailsAgainIsDeadLetteredAgainAndUnknownOrPurgedRunsAreRefusedByCode() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Orchestrator o = base().retention(Duration.ofMinutes(1)).retryPolicy(RetryPolicy.builder().maxAttempts(2)
                        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).jitter(0).build())
                .service("svc", ctx -> {
                    seen.add(ctx.executionId() + "#" + ctx.attempt());
                    throw new IllegalStateException("still down");
                }).build()) {
            o.submit(Plan.builder().task("a", "svc", Map.of()).build(), RunOptions.builder().runId("again").build());
            time.advance(Duration.ofSeconds(1));
            DeadLetter first = o.deadLetters().get(0);
            RunResult r = o.redrive(first).result().getNow(null);
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(seen).containsExactly("again/a#1", "again/a#2", "again/a#3"); // one attempt, same id
            assertThat(o.deadLetters()).singleElement().satisfies(d -> assertThat(d.attempts())
                    .extracting(DeadLetter.AttemptError::attempt).containsExactly(3));
            assertThatThrownBy(() -> o.redrive("nowhere", "a")).isInstanceOf(BatonException.class)
                    .satisfies(e -> assertThat(((BatonException) e).code()).isEqualTo("UNKNOWN_RUN"));
            time.advance(Duration.ofMinutes(2)); // purged, its dead letter with it
            assertThat(o.deadLetters()).isEmpty();
            assertThatThrownBy(() -> o.redrive(first)).isInstanceOf(BatonException.class)
                    .satisfies(e -> assertThat(((BatonException) e).code()).isEqualTo("UNKNOWN_RUN"));
        }
    }

    @Test
    void aDeadLetterOfARunStillRunningIsRefusedUntilTheRunEnds() {
        java.util.concurrent.CompletableFuture<Object> gate = new java.util.concurrent.CompletableFuture<>();
        try (Orchestrator o = base().shutdownTimeout(Duration.ZERO).retryPolicy(RetryPolicy.none())
                .asyncService("slow", ctx -> gate)
                .service("bad", ctx -> {
                    throw new IllegalStateException("down");
                }).build()) {
            RunHandle h = o.submit(Plan.builder().task("s", "slow", Map.of()).task("b", "bad", Map.of()).build(),
                    RunOptions.builder().runId("busy").failurePolicy(FailurePolicy.CONTINUE)
                            .schedulingMode(SchedulingMode.EAGER).build());
            DeadLetter d = o.deadLetters().get(0);
            assertThat(d.taskId()).isEqualTo("b");
            assertThatThrownBy(() -> o.redrive(d)).isInstanceOf(BatonException.class)
                    .satisfies(e -> assertThat(((BatonException) e).code()).isEqualTo("RUN_ACTIVE"));
            gate.complete("x");
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
            assertThat(o.redrive(d).result().getNow(null).status()).isEqualTo(RunStatus.FAILED); // taken now, fails again
        }
    }
}
