package dev.baton;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.persistence.LogInvariants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OrchestratorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<Orchestrator> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() {
        toClose.forEach(Orchestrator::close);
    }

    private Orchestrator track(Orchestrator o) {
        toClose.add(o);
        return o;
    }

    private Orchestrator.Builder orderServices() {
        return Orchestrator.builder().store(store)
                .service("customer-service", ctx -> Map.of("id", ctx.input().get("customerId"), "name", "Ada"))
                .service("order-system", ctx -> Map.of("details", Map.of("id", ctx.input().get("orderId"),
                        "items", List.of("book", "pen"))))
                .service("ai-agent", ctx -> ctx.input());
    }

    @Test
    void runsThePlanAndResolvesReferences() {
        Orchestrator o = track(orderServices().build());
        RunResult r = o.submit(Plans.order()).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.error()).isEmpty();
        assertThat(r.output("task1")).isEqualTo(Map.of("id", "CUST789", "name", "Ada"));
        @SuppressWarnings("unchecked")
        Map<String, Object> t3 = (Map<String, Object>) r.output("task3");
        assertThat(t3.get("customer")).isEqualTo(Map.of("id", "CUST789", "name", "Ada"));
        assertThat(t3.get("details")).isEqualTo(Map.of("id", "ORD456", "items", List.of("book", "pen")));
        assertThat(t3.get("price")).isEqualTo("$100");
        assertThat(t3.get("items")).isEqualTo(List.of("book", "literal"));
        assertThat(r.outputs()).containsOnlyKeys("task1", "task2", "task3");
        assertThat(LogInvariants.check(store.events(r.runId()))).isEmpty();
    }

    @Test
    void awaitTakesAnyDuration() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Orchestrator o = track(Orchestrator.builder().store(store).service("svc", ctx -> {
            release.await();
            return "done";
        }).build());
        RunHandle h = o.submit(Plan.builder().task("a", "svc", Map.of()).build());
        // not ended: a zero or negative wait looks once and gives up at once
        assertThatThrownBy(() -> h.await(Duration.ZERO)).isInstanceOf(AwaitTimeoutException.class);
        assertThatThrownBy(() -> h.await(Duration.ofSeconds(-5))).isInstanceOf(AwaitTimeoutException.class);
        assertThatThrownBy(() -> h.await(Duration.ofSeconds(Long.MIN_VALUE))).isInstanceOf(AwaitTimeoutException.class);
        assertThatThrownBy(() -> h.await(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        release.countDown();
        // longer than nanoseconds can count (about 292 years) used to be an ArithmeticException
        assertThat(h.await(Duration.ofDays(365L * 1_000)).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(h.await(Duration.ofSeconds(Long.MAX_VALUE)).output("a")).isEqualTo("done");
    }

    @Test
    void invalidPlanThrowsWithEveryErrorAndRunsNothing() {
        AtomicInteger calls = new AtomicInteger();
        Orchestrator o = track(Orchestrator.builder().store(store).service("svc", ctx -> calls.incrementAndGet()).build());
        Plan bad = Plan.builder()
                .task("a", "svc", Map.of("x", "$b"))
                .task("b", "svc", Map.of("x", "$a"))
                .task("c", "nope", Map.of())
                .build();

        assertThatThrownBy(() -> o.submit(bad))
                .isInstanceOfSatisfying(InvalidPlanException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_PLAN");
                    assertThat(e.errors()).extracting(err -> err.code().name())
                            .contains("CYCLE", "UNKNOWN_SERVICE");
                    assertThat(e.getMessage()).contains("CYCLE").contains("UNKNOWN_SERVICE");
                });
        assertThat(calls).hasValue(0);
        assertThat(store.unfinishedRuns()).isEmpty();
        assertThat(o.runs(RunQuery.recent())).isEmpty();
    }

    @Test
    void executionIdIsDerivedFromRunAndTaskAndContextIsComplete() {
        List<TaskContext> seen = new CopyOnWriteArrayList<>();
        Orchestrator o = track(Orchestrator.builder().store(store).service("svc", ctx -> {
            seen.add(ctx);
            return 1;
        }).build());
        Plan plan = Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of()).build();
        o.submit(plan, RunOptions.builder().runId("run-1").correlationId("corr-9").build()).await(WAIT);

        assertThat(seen).hasSize(2);
        assertThat(seen).extracting(TaskContext::executionId).containsExactlyInAnyOrder("run-1/a", "run-1/b");
        assertThat(seen).allSatisfy(c -> {
            assertThat(c.runId()).isEqualTo("run-1");
            assertThat(c.correlationId()).isEqualTo("corr-9");
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.service()).isEqualTo("svc");
            assertThat(c.deadline()).isEmpty();
        });
    }

    @Test
    void generatedRunIdsAreUniqueAndPrefixed() {
        Orchestrator o = track(orderServices().build());
        RunHandle a = o.submit(Plans.order());
        RunHandle b = o.submit(Plans.order());
        assertThat(a.runId()).startsWith("o_").isNotEqualTo(b.runId());
        a.await(WAIT);
        b.await(WAIT);
    }

    @Test
    void resubmittingARunIdReturnsTheSameRunAndNeverRunsTwice() {
        AtomicInteger calls = new AtomicInteger();
        Orchestrator o = track(Orchestrator.builder().store(store).service("svc", ctx -> calls.incrementAndGet()).build());
        Plan plan = Plan.builder().task("a", "svc", Map.of()).build();
        RunOptions opts = RunOptions.builder().runId("same").build();

        RunResult first = o.submit(plan, opts).await(WAIT);
        RunResult second = o.submit(plan, opts).await(WAIT);

        assertThat(calls).hasValue(1);
        assertThat(second).isEqualTo(first);
        Plan other = Plan.builder().task("b", "svc", Map.of()).build();
        assertThatThrownBy(() -> o.submit(other, opts)).isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("same");
    }

    @Test
    void unresolvablePathFailsTheTaskWithReferenceUnresolved() {
        AtomicInteger bCalls = new AtomicInteger();
        Orchestrator o = track(Orchestrator.builder().store(store)
                .service("a", ctx -> Map.of("items", List.of()))
                .service("b", ctx -> bCalls.incrementAndGet())
                .build());
        Plan plan = Plan.builder().task("x", "a", Map.of()).task("y", "b", Map.of("first", "$x.items[0].id")).build();

        RunResult r = o.submit(plan).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error()).get().satisfies(e -> {
            assertThat(e.taskId()).isEqualTo("y");
            assertThat(e.code()).isEqualTo("REFERENCE_UNRESOLVED");
            assertThat(e.message()).contains("$x.items[0].id").contains("/first");
        });
        assertThat(bCalls).hasValue(0);
    }

    @Test
    void aTaskThatFailsOnItsUnresolvedInputHasGivenItsSlotBackWhenItsRunsHandleCompletes() {
        // the task took its slot, then failed without calling its service: the slot went back only after the run's
        // end had completed the handle, so whoever the handle woke could still see the task running (handlers run on
        // the dispatching thread here, so the handle's dependents run inside that end)
        AtomicInteger runningAtTheEnd = new AtomicInteger(-1);
        CompletableFuture<Object> x = new CompletableFuture<>();
        Orchestrator o = track(Orchestrator.builder().store(store).executor(Runnable::run)
                .asyncService("a", ctx -> x)
                .service("b", ctx -> 1)
                .build());
        RunHandle h = o.submit(Plan.builder().task("x", "a", Map.of()).task("y", "b", Map.of("first", "$x.items[0]"))
                .build());
        CompletableFuture<RunResult> seen = h.result().whenComplete((r, t) -> runningAtTheEnd.set(
                o.status().runningTasks()));
        x.complete(Map.of("items", List.of())); // y starts, and fails at once, on this thread

        assertThat(seen.join().error().orElseThrow().code()).isEqualTo("REFERENCE_UNRESOLVED");
        assertThat(runningAtTheEnd).as("tasks running when the handle completed").hasValue(0);
    }

    @Test
    void failureSkipsDependentsAndFailFastStopsScheduling() {
        Orchestrator o = track(Orchestrator.builder().store(store)
                .service("ok", ctx -> "fine")
                .service("boom", ctx -> {
                    throw new IllegalStateException("kaput");
                })
                .build());
        // a fails; b depends on a; c is independent but in a later group
        Plan plan = Plan.builder()
                .task("a", "boom", Map.of())
                .task("b", "ok", Map.of("x", "$a"))
                .task("c", "ok", Map.of())
                .parallelGroups(List.of(List.of("a"), List.of("b", "c")))
                .build();

        RunResult r = o.submit(plan).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error()).get().satisfies(e -> {
            assertThat(e.taskId()).isEqualTo("a");
            assertThat(e.code()).isEqualTo("HANDLER_ERROR");
            assertThat(e.message()).isEqualTo("kaput");
        });
        RunView v = o.inspect(r.runId()).orElseThrow();
        assertThat(v.task("a").orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
        assertThat(v.task("b").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
        assertThat(v.task("c").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
        assertThat(LogInvariants.check(store.events(r.runId()))).isEmpty();
    }

    @Test
    void continuePolicyRunsIndependentBranches() {
        Orchestrator o = track(Orchestrator.builder().store(store)
                .service("ok", ctx -> "fine")
                .service("boom", ctx -> {
                    throw new IllegalStateException("kaput");
                })
                .build());
        Plan plan = Plan.builder()
                .task("a", "boom", Map.of())
                .task("b", "ok", Map.of("x", "$a"))
                .task("c", "ok", Map.of())
                .task("d", "ok", Map.of("x", "$c"))
                .build();

        RunResult r = o.submit(plan, RunOptions.builder().failurePolicy(FailurePolicy.CONTINUE).build()).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.outputs()).containsOnlyKeys("c", "d");
        RunView v = o.inspect(r.runId()).orElseThrow();
        assertThat(v.task("b").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
    }

    @Test
    void groupsAreHonouredButEagerModeIgnoresThem() throws Exception {
        // b is slow; c depends on nothing but is placed in the group after b
        CountDownLatch releaseB = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Orchestrator o = track(Orchestrator.builder().store(store)
                .service("slow", ctx -> {
                    releaseB.await(10, TimeUnit.SECONDS);
                    order.add(ctx.taskId());
                    return 1;
                })
                .service("fast", ctx -> {
                    order.add(ctx.taskId());
                    return 2;
                })
                .build());
        Plan plan = Plan.builder().task("b", "slow", Map.of()).task("c", "fast", Map.of())
                .parallelGroups(List.of(List.of("b"), List.of("c"))).build();

        RunHandle grouped = o.submit(plan);
        assertThat(grouped.result()).isNotDone();
        RunHandle eager = o.submit(plan, RunOptions.builder().schedulingMode(SchedulingMode.EAGER).build());
        // In eager mode c does not wait for b
        eager.result(); // started
        awaitCondition(() -> order.contains("c"));
        assertThat(order).containsExactly("c");
        releaseB.countDown();
        grouped.await(WAIT);
        eager.await(WAIT);
        // grouped: b finished before its c started
        assertThat(order.subList(1, order.size())).containsSubsequence("b", "c");
    }

    @Test
    void listenersSeeEveryEventInOrderAndAThrowingListenerBreaksNothing() {
        Map<String, List<RunEvent>> byRun = new ConcurrentHashMap<>();
        Orchestrator o = track(orderServices()
                .listener(e -> {
                    throw new RuntimeException("listener bug");
                })
                .listener(e -> byRun.computeIfAbsent(e.runId(), k -> new CopyOnWriteArrayList<>()).add(e))
                .build());
        RunResult r = o.submit(Plans.order()).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        awaitCondition(() -> byRun.get(r.runId()) != null && byRun.get(r.runId()).size() == store.events(r.runId()).size());
        List<RunEvent> seen = byRun.get(r.runId());
        assertThat(seen).isEqualTo(store.events(r.runId()));
        assertThat(seen).extracting(RunEvent::seq).isSorted();
        assertThat(seen.stream().filter(e -> e instanceof TaskStarted)).hasSize(3);
        assertThat(seen.stream().filter(e -> e instanceof TaskCompleted)).hasSize(3);
    }

    @Test
    void asyncHandlersAndHandlersReturningStagesComplete() {
        Orchestrator o = track(Orchestrator.builder().store(store)
                .asyncService("async", ctx -> CompletableFuture.supplyAsync(() -> Map.of("v", 1)))
                .service("stage", ctx -> CompletableFuture.completedFuture("s"))
                .build());
        Plan plan = Plan.builder().task("a", "async", Map.of()).task("b", "stage", Map.of("x", "$a.v")).build();
        RunResult r = o.submit(plan).await(WAIT);
        assertThat(r.outputs()).containsEntry("a", Map.of("v", 1)).containsEntry("b", "s");
    }

    @Test
    void nonJsonOutputWithoutMapperFailsClearly() {
        Orchestrator o = track(Orchestrator.builder().store(store).service("svc", ctx -> new Object()).build());
        RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().code()).isEqualTo("INVALID_OUTPUT");
        assertThat(r.error().orElseThrow().message()).contains("ValueMapper");
    }

    @Test
    void valueMapperConvertsOtherTypes() {
        record Point(int x, int y) {
        }
        Orchestrator o = track(Orchestrator.builder().store(store).service("svc", ctx -> new Point(1, 2))
                .valueMapper(v -> v instanceof Point p ? Map.of("x", p.x(), "y", p.y()) : v).build());
        RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).await(WAIT);
        assertThat(r.output("a")).isEqualTo(Map.of("x", 1, "y", 2));
    }

    /** A stage that, as the interface allows, refuses {@code toCompletableFuture()} (some libraries' stages do). */
    @SuppressWarnings("unchecked")
    private static CompletionStage<Object> refusingConversion(CompletionStage<?> inner) {
        return (CompletionStage<Object>) java.lang.reflect.Proxy.newProxyInstance(
                OrchestratorTest.class.getClassLoader(), new Class<?>[]{CompletionStage.class}, (proxy, m, args) -> {
                    if (m.getName().equals("toCompletableFuture")) {
                        throw new UnsupportedOperationException("no conversion");
                    }
                    try {
                        return m.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void stagesThatRefuseConversionToAFutureStillComplete() {
        Orchestrator o = track(Orchestrator.builder().store(store)
                .asyncService("ok", ctx -> refusingConversion(CompletableFuture.supplyAsync(() -> Map.of("v", 1))))
                .asyncService("bad", ctx -> refusingConversion(CompletableFuture.failedFuture(
                        new NonRetryableException("refused"))))
                .service("blockingStage", ctx -> refusingConversion(CompletableFuture.completedFuture("s")))
                .build());
        RunResult r = o.submit(Plan.builder().task("a", "ok", Map.of()).task("b", "blockingStage", Map.of("x", "$a.v"))
                .build()).await(Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.outputs()).containsEntry("a", Map.of("v", 1)).containsEntry("b", "s");
        RunResult failed = o.submit(Plan.builder().task("a", "bad", Map.of()).build()).await(Duration.ofSeconds(10));
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error().orElseThrow().message()).contains("refused");
    }

    @Test
    void aStageWhoseCancelThrowsStillTimesOut() {
        // a CompletableFuture subclass may override cancel; the timeout must be recorded all the same
        class Stubborn extends CompletableFuture<Object> {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                throw new IllegalStateException("cannot cancel");
            }
        }
        dev.baton.time.ManualTime time = new dev.baton.time.ManualTime();
        // its stage never ends, so it holds its slot: close() need not wait for it
        Orchestrator o = track(Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO)
                .asyncService(dev.baton.planner.ServiceDescriptor.of("stubborn"), ctx -> new Stubborn(),
                        ServiceOptions.builder().timeout(Duration.ofSeconds(1)).retryPolicy(RetryPolicy.none()).build())
                .build());
        RunHandle h = o.submit(Plan.builder().task("a", "stubborn", Map.of()).build());
        time.advance(Duration.ofSeconds(2));
        RunResult r = h.result().getNow(null);
        assertThat(r).as("ended at the timeout").isNotNull();
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().code()).isEqualTo("TIMEOUT");
        assertThat(LogInvariants.check(store.events(r.runId()))).isEmpty();
    }

    @Test
    void anAttemptWhoseDeadlineTheSchedulerRefusesStillTimesOut() {
        // the scheduler refuses the attempt's deadline timer: before the engine's fallback timer, the attempt failed
        // at dispatch without calling its service; now the handler runs and the deadline still ends it
        dev.baton.time.ManualTime time = new dev.baton.time.ManualTime();
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
        dev.baton.time.Scheduler refusing = (delay, action) -> {
            if (refuse.get() && delay.compareTo(Duration.ofMillis(20)) == 0) {
                throw new IllegalStateException("timer queue full");
            }
            return time.schedule(delay, action);
        };
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Object> never = new CompletableFuture<>();
        Orchestrator o = track(Orchestrator.builder().store(store).clock(time).scheduler(refusing)
                .executor(Runnable::run)
                .asyncService(dev.baton.planner.ServiceDescriptor.of("svc"), ctx -> {
                    calls.incrementAndGet();
                    return never;
                }, ServiceOptions.builder().timeout(Duration.ofMillis(20)).retryPolicy(RetryPolicy.none()).build())
                .build());
        refuse.set(true);
        RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of()).build()).await(Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().code()).isEqualTo("TIMEOUT");
        assertThat(calls).hasValue(1);
        assertThat(never).isCancelled();
        assertThat(LogInvariants.check(store.events(r.runId()))).isEmpty();
    }

    @Test
    void aValueMapperThatThrowsFailsTheTaskInsteadOfLeavingItRunning() {
        record Point(int x, int y) {
        }
        ValueMapper broken = v -> {
            if (v instanceof Point p && p.x() == 3) {
                throw new IllegalArgumentException("no JSON for " + v); // what the contract asks for
            }
            throw new IllegalStateException("mapper broke on " + v);   // what a buggy mapper does
        };
        Orchestrator o = track(Orchestrator.builder().store(store).valueMapper(broken)
                .service("blocking", ctx -> new Point(1, 2))
                .asyncService("async", ctx -> CompletableFuture.supplyAsync(() -> new Point(3, 4)))
                .build());
        for (String service : List.of("blocking", "async")) {
            RunResult r = o.submit(Plan.builder().task("a", service, Map.of()).build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).as(service).isEqualTo(RunStatus.FAILED);
            RunError e = r.error().orElseThrow();
            assertThat(e.taskId()).isEqualTo("a");
            assertThat(e.code()).isEqualTo("INVALID_OUTPUT");
            if (service.equals("blocking")) {
                assertThat(e.message()).contains("the value mapper failed on a " + Point.class.getName())
                        .contains("IllegalStateException: mapper broke on Point[x=1");
            } else {
                assertThat(e.message()).contains("the value mapper refused a " + Point.class.getName())
                        .contains("no JSON for Point[x=3");
            }
            assertThat(LogInvariants.check(store.events(r.runId()))).isEmpty();
        }
    }

    @Test
    void aValueMappersLongMessageIsBoundedInTheRecordedError() {
        record Blob(int n) {
        }
        String huge = "x".repeat(200_000);
        Orchestrator o = track(Orchestrator.builder().store(store)
                .valueMapper(v -> {
                    throw new IllegalArgumentException(huge);
                })
                .service("s", ctx -> new Blob(1))
                .build());
        RunResult r = o.submit(Plan.builder().task("a", "s", Map.of()).build()).await(Duration.ofSeconds(10));
        RunError e = r.error().orElseThrow();
        assertThat(e.code()).isEqualTo("INVALID_OUTPUT");
        assertThat(e.message()).contains("the value mapper refused a " + Blob.class.getName())
                .contains("more characters)").hasSizeLessThan(17_000);
    }

    /** A system clock whose k-th reading after {@link #armAt} throws, once. */
    private static final class FailingReadClock extends java.time.Clock {
        /** Its own timeline, far from the system's: a millisecond later at every reading. */
        private static final Instant BASE = Instant.parse("2001-01-01T00:00:00Z");
        private final AtomicInteger countdown = new AtomicInteger(-1);
        private final AtomicInteger readings = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        /** Every time it handed out. */
        final java.util.Set<Instant> given = java.util.concurrent.ConcurrentHashMap.newKeySet();

        void armAt(int k) {
            countdown.set(k);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            if (countdown.get() > 0 && countdown.decrementAndGet() == 0) {
                fired.set(true);
                throw new IllegalStateException("clock unavailable");
            }
            Instant t = BASE.plusMillis(readings.incrementAndGet());
            given.add(t);
            return t;
        }
    }

    @Test
    void aClockReadingThatFailsRepeatsTheLastGoodOneWhereverItFalls() {
        // the handler arms the clock; the k-th reading after it (in the outcome, the drain, the failure's record, the
        // dependent's start, the end...) throws once; the engine reads the clock in the middle of state changes, so
        // before the fallback some of these left the run waiting for ever (the 6th: the run's end). Every time in
        // the log is one the clock gave: the failed reading repeated an earlier one, not the system's time
        for (boolean succeed : new boolean[]{true, false}) {
            int exercised = 0;
            for (int k = 1; k <= 12; k++) {
                FailingReadClock clock = new FailingReadClock();
                int armAt = k;
                InMemoryRunStore own = new InMemoryRunStore();
                Orchestrator o = track(Orchestrator.builder().store(own).clock(clock)
                        .retryPolicy(RetryPolicy.none())
                        .service("svc", ctx -> {
                            clock.armAt(armAt);
                            if (!succeed) {
                                throw new NonRetryableException("no");
                            }
                            return "done";
                        })
                        .service("after", ctx -> "after")
                        .build());
                RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of())
                        .task("b", "after", Map.of("x", "$a")).build()).await(Duration.ofSeconds(10));
                assertThat(r.status()).as("succeed=%s, reading %d", succeed, k)
                        .isEqualTo(succeed ? RunStatus.COMPLETED : RunStatus.FAILED);
                if (!succeed) {
                    assertThat(r.error().orElseThrow().message()).contains("no");
                }
                assertThat(LogInvariants.check(own.events(r.runId()))).as("succeed=%s, reading %d", succeed, k)
                        .isEmpty();
                assertThat(own.events(r.runId())).extracting(dev.baton.event.RunEvent::at)
                        .as("succeed=%s, reading %d", succeed, k).allMatch(clock.given::contains);
                if (!clock.fired.get()) {
                    break; // the run ended within fewer readings: every one of them was exercised
                }
                exercised = k;
            }
            // a success reads the clock once per drain (its write reuses that reading: each completion, with the
            // start it readies) and at the run's end; a failure that is not retried reads it for its record, its
            // dependent's skip, the write and the end (its outcome reads the clock only for a retry or a breaker that
            // times calls, and this one has neither)
            assertThat(exercised).as("readings exercised, succeed=%s", succeed).isGreaterThanOrEqualTo(succeed ? 3 : 4);
        }
    }

    @Test
    void aValueMapperThatOverflowsItsStackFailsTheTaskAsAnInvalidOutput() {
        // a mapper that overflows its stack (a cyclic object graph, say): an Error, the output's problem all the same
        // (before, it escaped the output check and the task failed as the engine's INTERNAL_ERROR)
        AtomicInteger calls = new AtomicInteger();
        Orchestrator o = track(Orchestrator.builder().store(store)
                .valueMapper(v -> {
                    throw new StackOverflowError("cyclic " + v.getClass().getSimpleName());
                })
                .service("svc", ctx -> {
                    calls.incrementAndGet();
                    return new Object();
                })
                .service("after", ctx -> "never")
                .build());
        RunResult r = o.submit(Plan.builder().task("a", "svc", Map.of()).task("b", "after", Map.of("x", "$a"))
                .build()).await(Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        RunError e = r.error().orElseThrow();
        assertThat(e.taskId()).isEqualTo("a");
        assertThat(e.code()).isEqualTo("INVALID_OUTPUT");
        assertThat(e.message()).contains("the value mapper failed on a java.lang.Object").contains("StackOverflowError")
                .contains("cyclic Object");
        assertThat(calls).hasValue(1); // not retried: the handler did its work once
        assertThat(o.inspect(r.runId()).orElseThrow().task("b").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
        assertThat(LogInvariants.check(store.events(r.runId()))).isEmpty();
    }

    @Test
    void listenersThatCancelEachOthersRunsWhileTheirOwnAreCancelledDoNotDeadlock() throws Exception {
        // two threads cancel two runs at once; each run's listener, hearing its run cancelled, waits for the other to
        // be inside its listener too and then cancels the other run: no thread may hold its run's lock (or stripe)
        // while listeners run, or the two wait for each other for ever
        CountDownLatch aInListener = new CountDownLatch(1);
        CountDownLatch bInListener = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<RunHandle> ha = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<RunHandle> hb = new java.util.concurrent.atomic.AtomicReference<>();
        Orchestrator o = track(Orchestrator.builder().store(store)
                .asyncService("slow", ctx -> new CompletableFuture<>())
                .listener(e -> {
                    if (!(e instanceof dev.baton.event.RunCancelled)) {
                        return;
                    }
                    boolean a = e.runId().equals("ra");
                    meet(a ? aInListener : bInListener, a ? bInListener : aInListener);
                    (a ? hb : ha).get().cancel();
                })
                .build());
        Plan plan = Plan.builder().task("t", "slow", Map.of()).build();
        ha.set(o.submit(plan, RunOptions.builder().runId("ra").build()));
        hb.set(o.submit(plan, RunOptions.builder().runId("rb").build()));

        assertThat(bothFinish(() -> ha.get().cancel(), () -> hb.get().cancel())).as("both cancels returned").isTrue();
        assertThat(ha.get().await(WAIT).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(hb.get().await(WAIT).status()).isEqualTo(RunStatus.CANCELLED);
    }

    /**
     * Runs {@code a} and {@code b} on two daemon threads at once; false if either is still running after 10 s (stuck:
     * a daemon thread does not keep the test JVM alive).
     */
    private static boolean bothFinish(Runnable a, Runnable b) throws InterruptedException {
        Thread t1 = new Thread(a, "first");
        Thread t2 = new Thread(b, "second");
        t1.setDaemon(true);
        t2.setDaemon(true);
        t1.start();
        t2.start();
        t1.join(10_000);
        t2.join(10_000);
        return !t1.isAlive() && !t2.isAlive();
    }

    /** Says this side has arrived and waits (up to 2 s) for the other: two threads meet at one point. */
    private static void meet(CountDownLatch mine, CountDownLatch other) {
        mine.countDown();
        try {
            other.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A run id of the form {@code prefix + n} that shares a lock stripe (of 256) with {@code other}. */
    private static String sameStripeAs(String other, String prefix) {
        int want = (other.hashCode() & 0x7fffffff) % 256;
        for (int n = 0; ; n++) {
            String id = prefix + n;
            if ((id.hashCode() & 0x7fffffff) % 256 == want && !id.equals(other)) {
                return id;
            }
        }
    }

    /**
     * Runs "ra" and "rb", on two threads at once, each meet the other and then submit a child run whose id shares the
     * other run's lock stripe: what deadlocks if either thread still holds its own run's stripe.
     */
    private static final class Crossing {
        final String childOfA = sameStripeAs("rb", "child-a-");
        final String childOfB = sameStripeAs("ra", "child-b-");
        private final CountDownLatch aIn = new CountDownLatch(1);
        private final CountDownLatch bIn = new CountDownLatch(1);
        private final Plan child = Plan.builder().task("leaf", "leaf", Map.of()).build();
        volatile Orchestrator orchestrator;

        RunHandle cross(String runId) {
            boolean a = runId.equals("ra");
            meet(a ? aIn : bIn, a ? bIn : aIn);
            return orchestrator.submit(child, RunOptions.builder().runId(a ? childOfA : childOfB).build());
        }
    }

    @Test
    void handlersThatSubmitRunsIntoEachOthersStripesWhileStartingDoNotDeadlock() throws Exception {
        // an asynchronous handler runs on the thread that dispatches it, here the submitting thread: each of two runs
        // submitted at once spawns a child run whose id shares the other run's lock stripe. If dispatch ran while the
        // submit still held its run's stripe, the two threads would wait for each other's stripe for ever
        Crossing crossing = new Crossing();
        Orchestrator o = track(Orchestrator.builder().store(store)
                .service("leaf", ctx -> Map.of("ok", true))
                .asyncService("spawn", ctx -> crossing.cross(ctx.runId()).result()
                        .thenApply(r -> Map.of("child", r.runId())))
                .build());
        crossing.orchestrator = o;
        Plan plan = Plan.builder().task("t", "spawn", Map.of()).build();
        CompletableFuture<RunHandle> ha = new CompletableFuture<>();
        CompletableFuture<RunHandle> hb = new CompletableFuture<>();
        assertThat(bothFinish(() -> ha.complete(o.submit(plan, RunOptions.builder().runId("ra").build())),
                () -> hb.complete(o.submit(plan, RunOptions.builder().runId("rb").build()))))
                .as("both submits returned").isTrue();
        assertThat(ha.get().await(WAIT).output("t")).isEqualTo(Map.of("child", crossing.childOfA));
        assertThat(hb.get().await(WAIT).output("t")).isEqualTo(Map.of("child", crossing.childOfB));
    }

    @Test
    void listenersOfRedrivesThatSubmitIntoEachOthersStripesDoNotDeadlock() throws Exception {
        // a redrive's TaskRedriven goes to listeners; each of two redrives at once submits a child run into the other
        // run's stripe from its listener: the listener must not run while the redrive holds its own stripe
        java.util.concurrent.atomic.AtomicBoolean fixed = new java.util.concurrent.atomic.AtomicBoolean();
        Crossing crossing = new Crossing();
        Orchestrator o = track(Orchestrator.builder().store(store).retryPolicy(RetryPolicy.none())
                .service("leaf", ctx -> Map.of("ok", true))
                .service("flaky", ctx -> {
                    if (!fixed.get()) {
                        throw new RetryableException("not yet");
                    }
                    return Map.of("ok", true);
                })
                .listener(e -> {
                    if (e instanceof dev.baton.event.TaskRedriven r) {
                        crossing.cross(r.runId());
                    }
                })
                .build());
        crossing.orchestrator = o;
        Plan plan = Plan.builder().task("t", "flaky", Map.of()).build();
        assertThat(o.submit(plan, RunOptions.builder().runId("ra").build()).await(WAIT).status())
                .isEqualTo(RunStatus.FAILED);
        assertThat(o.submit(plan, RunOptions.builder().runId("rb").build()).await(WAIT).status())
                .isEqualTo(RunStatus.FAILED);
        assertThat(o.deadLetters()).hasSize(2);
        fixed.set(true);

        List<RunHandle> redriven = new CopyOnWriteArrayList<>();
        assertThat(bothFinish(() -> redriven.add(o.redrive("ra", "t")), () -> redriven.add(o.redrive("rb", "t"))))
                .as("both redrives returned").isTrue();
        assertThat(redriven).hasSize(2).allSatisfy(h -> assertThat(h.await(WAIT).status())
                .isEqualTo(RunStatus.COMPLETED));
    }

    @Test
    void aCancelAfterCloseCancelsNothing() throws Exception {
        // the closed orchestrator left the run in the store as it was, recoverable: a cancel through an old handle
        // must neither report success nor complete the handle as cancelled
        CountDownLatch in = new CountDownLatch(1);
        Orchestrator o = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMillis(50))
                .asyncService("hang", ctx -> {
                    in.countDown();
                    return new CompletableFuture<>();
                })
                .build();
        RunHandle h = o.submit(Plan.builder().task("t", "hang", Map.of()).build(),
                RunOptions.builder().runId("rc").build());
        assertThat(in.await(10, TimeUnit.SECONDS)).isTrue();
        o.close();

        assertThat(h.cancel()).as("cancel after close").isFalse();
        assertThat(store.run("rc").orElseThrow().state().isTerminal()).as("still recoverable").isFalse();
    }

    @Test
    void cancelCancelsPendingAndInterruptsRunning() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicInteger laterCalls = new AtomicInteger();
        Orchestrator o = track(Orchestrator.builder().store(store)
                .service("block", ctx -> {
                    started.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return null;
                })
                .service("later", ctx -> laterCalls.incrementAndGet())
                .build());
        Plan plan = Plan.builder().task("a", "block", Map.of()).task("b", "later", Map.of("x", "$a")).build();
        RunHandle h = o.submit(plan);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(h.cancel()).isTrue();
        assertThat(h.cancel()).isFalse();
        RunResult r = h.await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        RunView v = o.inspect(h.runId()).orElseThrow();
        assertThat(v.tasks()).extracting(TaskView::status).containsOnly(TaskStatus.CANCELLED);
        assertThat(laterCalls).hasValue(0);
        assertThat(LogInvariants.check(store.events(h.runId()))).isEmpty();
    }

    @Test
    void inspectShowsTasksAndRunsListsByStatus() {
        Orchestrator o = track(orderServices().build());
        RunResult r = o.submit(Plans.order(), RunOptions.builder().runId("order-ORD456").build()).await(WAIT);

        RunView v = o.inspect("order-ORD456").orElseThrow();
        assertThat(v.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(v.parallelGroups()).containsExactly(List.of("task1", "task2"), List.of("task3"));
        TaskView t1 = v.task("task1").orElseThrow();
        assertThat(t1.service()).isEqualTo("customer-service");
        assertThat(t1.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(t1.attempts()).isEqualTo(1);
        assertThat(t1.executionId()).isEqualTo("order-ORD456/task1");
        assertThat(t1.input()).isEqualTo(Map.of("customerId", "CUST789"));
        assertThat(t1.output()).isEqualTo(r.output("task1"));
        assertThat(t1.startedAt()).isNotNull();
        assertThat(t1.endedAt()).isNotNull();
        assertThat(v.endedAt()).isNotNull();

        assertThat(o.runs(RunQuery.builder().status(RunStatus.COMPLETED).build())).extracting(RunView::runId)
                .containsExactly("order-ORD456");
        assertThat(o.runs(RunQuery.builder().status(RunStatus.FAILED).build())).isEmpty();
        assertThat(o.inspect("nope")).isEmpty();
    }

    /** Runs {@code tasks} independent tasks on the orchestrator's own executor; returns the threads they ran on. */
    private Set<String> handlerThreads(Orchestrator.Builder b, int tasks) {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Orchestrator o = track(b.store(store).service("svc", ctx -> {
            threads.add(Thread.currentThread().getName());
            return 1;
        }).build());
        Plan.Builder plan = Plan.builder();
        for (int i = 0; i < tasks; i++) {
            plan.task("t" + i, "svc", Map.of());
        }
        assertThat(o.submit(plan.build()).await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        return threads;
    }

    @Test
    void withoutVirtualThreadsHandlersRunOnAPoolOfMaxOf16And8PerCore() {
        assumeTrue(Runtime.version().feature() < 19, "this JVM has virtual threads: the pool is not used");
        int expected = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
        // the pool starts a thread for each task until it has its full size, then queues: twice as many tasks as
        // threads use every thread of the pool and no more
        assertThat(handlerThreads(Orchestrator.builder(), 2 * expected))
                .hasSize(expected).allMatch(name -> name.startsWith("baton-worker-"));
        assertThat(handlerThreads(Orchestrator.builder().workerThreads(3), 12))
                .containsExactlyInAnyOrder("baton-worker-1", "baton-worker-2", "baton-worker-3");
    }

    @Test
    void withVirtualThreadsEachHandlerRunsOnOneAndWorkerThreadsIsIgnored() {
        assumeTrue(Runtime.version().feature() >= 21, "this JVM has no virtual threads");
        assertThat(handlerThreads(Orchestrator.builder().workerThreads(1), 4)).noneMatch(n -> n.startsWith("baton-worker-"));
    }

    @Test
    void closedOrchestratorRejectsWork() {
        Orchestrator o = orderServices().build();
        o.close();
        assertThatThrownBy(() -> o.submit(Plans.order())).isInstanceOf(OrchestratorClosedException.class);
    }

    @Test
    void builderRefusesBadSettingsAtTheCallNamingTheSetting() {
        Orchestrator.Builder b = Orchestrator.builder();
        assertThatThrownBy(() -> b.shutdownTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("shutdownTimeout"); // was "timeout"
        assertThatThrownBy(() -> b.time(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("time"); // was "clock", a setting the caller did not make
        assertThatThrownBy(() -> b.shutdownTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shutdownTimeout");
        assertThatThrownBy(() -> b.retention(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
        assertThatThrownBy(() -> b.retention(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("retention");
        assertThatThrownBy(() -> b.maxParallel(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxParallel");
        assertThatThrownBy(() -> b.workerThreads(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workerThreads");
        assertThatThrownBy(() -> b.planningAttempts(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("planningAttempts");
        assertThatThrownBy(() -> b.leaseDuration(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseDuration");
        assertThatThrownBy(() -> b.healthWindow(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("healthWindow");
        assertThatThrownBy(() -> b.instanceId(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("instanceId");
        assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("clock");
        assertThatThrownBy(() -> b.scheduler(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("scheduler");
        assertThatThrownBy(() -> b.retryPolicy(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("retryPolicy");
        assertThatThrownBy(() -> b.circuitBreaker(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("circuitBreaker");
        assertThatThrownBy(() -> b.service("s", null)).isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
    }

    static void awaitCondition(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
