package dev.baton;

import dev.baton.event.RunCancelled;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoreException;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Recovery at its edges: concurrent recoveries, retries pending across a restart, a cancel the store refuses. */
class RecoveryEdgeTest {

    private static final Plan ONE = Plan.builder().task("a", "svc", Map.of()).build();

    /** Leaves run {@code runId} in the store with task "a" running (its orchestrator closed mid-task). */
    private static void leaveRunning(RunStore store, String runId) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Orchestrator first = Orchestrator.builder().store(store).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> {
                    started.countDown();
                    return new CompletableFuture<>();
                }).build();
        first.submit(ONE, RunOptions.builder().runId(runId).build());
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
    }

    /** A store whose events() read, on the thread named "slow", waits after reading until {@code release} opens. */
    private static final class SlowReads extends ForwardingRunStore {
        final CountDownLatch reading = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        SlowReads(RunStore delegate) {
            super(delegate);
        }

        @Override
        public List<RunEvent> events(String runId) {
            List<RunEvent> read = super.events(runId);
            if (Thread.currentThread().getName().equals("slow")) {
                reading.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return read;
        }
    }

    private static long started(RunStore store, String runId) {
        return store.events(runId).stream().filter(e -> e instanceof TaskStarted).count();
    }

    @Test
    void twoConcurrentRecoveriesResumeARunOnceAndOnlyOneCountsIt() throws Exception {
        InMemoryRunStore mem = new InMemoryRunStore();
        leaveRunning(mem, "r1");
        SlowReads store = new SlowReads(mem);
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).recoverOnStart(false).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> {
                    calls.incrementAndGet();
                    return new CompletableFuture<>();
                }).build()) {
            AtomicInteger slowCount = new AtomicInteger(-1);
            Thread slow = new Thread(() -> slowCount.set(o.recover()), "slow");
            slow.start();
            assertThat(store.reading.await(10, TimeUnit.SECONDS)).isTrue(); // it saw r1 not active and read its log
            int fast = o.recover();
            store.release.countDown();
            slow.join(10_000);

            assertThat(fast).isEqualTo(1);
            assertThat(slowCount.get()).as("the second recovery resumed nothing").isZero();
            assertThat(calls).hasValue(1);
            assertThat(started(mem, "r1")).isEqualTo(2); // the first instance's start and one resumed start
            assertThat(o.recover()).as("a recovery while the run is live here").isZero();
        }
    }

    @Test
    void aRecoveryThatReadARunBeforeItEndedDoesNotResumeItAgain() throws Exception {
        InMemoryRunStore mem = new InMemoryRunStore();
        leaveRunning(mem, "r2");
        SlowReads store = new SlowReads(mem);
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).recoverOnStart(false)
                .service("svc", ctx -> {
                    calls.incrementAndGet();
                    return Map.of("ok", true);
                }).build()) {
            AtomicInteger slowCount = new AtomicInteger(-1);
            Thread slow = new Thread(() -> slowCount.set(o.recover()), "slow");
            slow.start();
            assertThat(store.reading.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(o.recover()).isEqualTo(1);
            RunResult r = o.submit(ONE, RunOptions.builder().runId("r2").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            store.release.countDown(); // the slow recovery now goes on with the log it read before the run ended
            slow.join(10_000);

            assertThat(slowCount.get()).isZero();
            assertThat(calls).hasValue(1);
            assertThat(started(mem, "r2")).isEqualTo(2);
            assertThat(LogInvariants.check(mem.events("r2"))).isEmpty();
            assertThat(o.inspect("r2").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void aRetryPendingWhenTheOrchestratorStopsFiresAtItsDueTimeAfterRecovery() {
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        InMemoryRunStore store = new InMemoryRunStore();
        RetryPolicy tenSeconds = RetryPolicy.builder().maxAttempts(3).backoff(Duration.ofSeconds(10),
                Duration.ofSeconds(10)).jitter(0).build();
        List<String> seen = new CopyOnWriteArrayList<>();
        TaskHandler failsFirst = ctx -> {
            seen.add(ctx.executionId() + "#" + ctx.attempt());
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("down");
            }
            return Map.of("ok", true);
        };
        Orchestrator first = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(tenSeconds).shutdownTimeout(Duration.ZERO).service("svc", failsFirst).build();
        first.submit(ONE, RunOptions.builder().runId("r3").build());
        assertThat(seen).containsExactly("r3/a#1");
        TaskRetryScheduled due = store.events("r3").stream().filter(e -> e instanceof TaskRetryScheduled)
                .map(e -> (TaskRetryScheduled) e).findFirst().orElseThrow();
        first.close();
        time.advance(Duration.ofSeconds(4));

        try (Orchestrator second = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(tenSeconds).service("svc", failsFirst).build()) {
            assertThat(seen).as("not at once").containsExactly("r3/a#1");
            time.advance(Duration.ofMillis(5_999));
            assertThat(seen).containsExactly("r3/a#1");
            time.advance(Duration.ofMillis(1));
            assertThat(time.instant()).isEqualTo(Instant.parse("2026-03-01T10:00:10Z"));
            assertThat(seen).containsExactly("r3/a#1", "r3/a#2");
            assertThat(second.inspect("r3").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(due.toString()).contains("10:00:10");
            assertThat(LogInvariants.check(store.events("r3"))).isEmpty();
        }
    }

    /**
     * A store that fails, while {@code refuse} is set, every append holding an event of one kind, with the failure
     * made from the run id.
     */
    private static final class Refuses extends ForwardingRunStore {
        final AtomicBoolean refuse = new AtomicBoolean();
        private final Class<? extends RunEvent> kind;
        private final java.util.function.Function<String, RuntimeException> failure;

        Refuses(RunStore delegate, Class<? extends RunEvent> kind,
                java.util.function.Function<String, RuntimeException> failure) {
            super(delegate);
            this.kind = kind;
            this.failure = failure;
        }

        /** Refuses every append holding a RunCancelled, as a store that is down does. */
        static Refuses cancels(RunStore delegate) {
            return new Refuses(delegate, RunCancelled.class, runId -> new StoreException("refused"));
        }

        @Override
        public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
            if (refuse.get() && events.stream().anyMatch(kind::isInstance)) {
                throw failure.apply(runId);
            }
            super.append(runId, expectedSeq, events, owner, now);
        }
    }

    @Test
    void aCancelTheStoreRefusesIsNotReportedUntilItIsWritten() {
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        InMemoryRunStore mem = new InMemoryRunStore();
        Refuses store = Refuses.cancels(mem);
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .asyncService("svc", ctx -> new CompletableFuture<>()).build()) {
            RunHandle h = o.submit(ONE, RunOptions.builder().runId("r4").build());
            store.refuse.set(true);
            assertThat(h.cancel()).isTrue();
            assertThat(h.result()).isNotDone();
            // nothing says cancelled before RunCancelled is written
            assertThat(o.inspect("r4").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            assertThat(mem.run("r4").orElseThrow().endedAt()).isNull();
            time.advance(Duration.ofSeconds(1));
            assertThat(h.result()).isNotDone();
            store.refuse.set(false);
            time.advance(Duration.ofSeconds(10));
            assertThat(h.result()).isDone();
            assertThat(h.result().join().status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(o.inspect("r4").orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(mem.events("r4").get(mem.events("r4").size() - 1)).isInstanceOf(RunCancelled.class);
            assertThat(LogInvariants.check(mem.events("r4"))).isEmpty();
        }
    }

    @Test
    void aCancelThatWasNeverWrittenLeavesTheRunRunningForTheNextOrchestrator() {
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        InMemoryRunStore mem = new InMemoryRunStore();
        Refuses store = Refuses.cancels(mem);
        AtomicInteger calls = new AtomicInteger();
        Orchestrator first = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO).asyncService("svc", ctx -> {
                    calls.incrementAndGet();
                    return new CompletableFuture<>();
                }).build();
        RunHandle h = first.submit(ONE, RunOptions.builder().runId("r5").build());
        store.refuse.set(true);
        assertThat(h.cancel()).isTrue();
        first.close();
        store.refuse.set(false);
        // close() must end the handle as it does for every other unfinished run: the cancel was never written
        assertThat(h.result()).as("handle of a run whose cancel was not written when its orchestrator closed")
                .isCompletedExceptionally();
        try (Orchestrator second = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO).asyncService("svc", ctx -> {
                    calls.incrementAndGet();
                    return new CompletableFuture<>();
                }).build()) {
            assertThat(second.inspect("r5").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void aRunTakenOverWithStartsUnwrittenGivesTheirSlotsBack() {
        InMemoryRunStore mem = new InMemoryRunStore();
        // fences off every append holding a start, as another instance's lease would
        Refuses store = new Refuses(mem, TaskStarted.class,
                runId -> new dev.baton.persistence.LeaseLostException(runId, "here", "elsewhere"));
        Plan twoSteps = Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of("x", "$a.x")).build();
        CompletableFuture<Object> first = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run).maxParallel(1)
                .shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> calls.incrementAndGet() == 1 ? first
                        : CompletableFuture.completedFuture(Map.of("x", 1)))
                .build()) {
            o.submit(twoSteps, RunOptions.builder().runId("taken").build());
            store.refuse.set(true);
            // a's completion and b's start (holding the only slot) go in one append, which is fenced off
            first.complete(Map.of("x", 1));
            assertThat(o.status().runningTasks()).isZero();
            store.refuse.set(false);
            RunResult other = o.submit(ONE).await(Duration.ofSeconds(10));
            assertThat(other.status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @ParameterizedTest
    @EnumSource(SchedulingMode.class)
    void aFailFastRunResumedAfterItsFailureWaitsForTheTaskItsLogShowsRunningAndSkipsTheRest(SchedulingMode mode)
            throws Exception {
        // Before the crash: "bad" failed for good while "slow" was running; "later" waits for "slow". A live run that
        // fails fast would let "slow" finish and record its outcome; the resumed one dispatches it again under the
        // same execution id and waits for it, so the log says what became of it instead of SKIPPED
        InMemoryRunStore store = new InMemoryRunStore();
        ManualTime time = new ManualTime(Instant.parse("2026-05-01T00:00:00Z"));
        Plan plan = Plan.builder()
                .task("bad", "bad", Map.of())
                .task("slow", "hang", Map.of())
                .task("later", "after", Map.of("x", "$slow"))
                .parallelGroups(List.of(List.of("bad", "slow"), List.of("later")))
                .build();
        RunOptions options = RunOptions.builder().runId("ff").schedulingMode(mode).build();
        leaveFailedWhileRunning(store, time, plan, options, "hang");
        String slowExecution = store.events("ff").stream().filter(e -> e instanceof TaskStarted)
                .map(e -> (TaskStarted) e).filter(e -> e.taskId().equals("slow")).findFirst().orElseThrow()
                .executionId();

        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger afterCalls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.none())
                .service("hang", ctx -> {
                    seen.add(ctx.executionId());
                    return "finished";
                })
                .service("bad", ctx -> "not again")
                .service("after", ctx -> afterCalls.incrementAndGet())
                .build()) {
            RunResult r = o.submit(plan, options).await(Duration.ofSeconds(10)); // the resumed run's handle
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("bad");
            assertThat(seen).containsExactly(slowExecution);
            assertThat(afterCalls).hasValue(0);
            RunView v = o.inspect("ff").orElseThrow();
            assertThat(v.task("slow").orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(v.task("slow").orElseThrow().output()).isEqualTo("finished");
            assertThat(v.task("later").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
            assertThat(v.task("bad").orElseThrow().attempts()).isEqualTo(1);
            assertThat(LogInvariants.check(store.events("ff"))).isEmpty();
        }
    }

    /**
     * Leaves run {@code runId} of {@code plan} in the store as a crash would, on the manual clock: task "bad" failed
     * for good (FAIL_FAST) while its tasks of the {@code hangingServices} were running (any others had not started).
     */
    private static void leaveFailedWhileRunning(RunStore store, ManualTime time, Plan plan, RunOptions options,
                                                String... hangingServices) throws InterruptedException {
        List<String> hanging = List.of(hangingServices);
        CountDownLatch started = new CountDownLatch(
                (int) plan.tasks().stream().filter(t -> hanging.contains(t.service())).count());
        CountDownLatch failed = new CountDownLatch(1);
        Orchestrator.Builder b = Orchestrator.builder().store(store).time(time).shutdownTimeout(Duration.ZERO)
                .retryPolicy(RetryPolicy.none());
        for (String service : hangingServices) {
            b.asyncService(service, ctx -> {
                started.countDown();
                return new CompletableFuture<>();
            });
        }
        plan.tasks().stream().map(t -> t.service())
                .filter(svc -> svc != null && !svc.equals("bad") && !hanging.contains(svc)).distinct()
                .forEach(svc -> b.service(svc, ctx -> "never")); // its tasks wait for a hanging one: never called
        Orchestrator first = b
                .service("bad", ctx -> {
                    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                    throw new NonRetryableException("broken");
                })
                .listener(e -> {
                    if (e instanceof TaskFailed f && f.taskId().equals("bad")) {
                        failed.countDown();
                    }
                })
                .build();
        first.submit(plan, options);
        assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
    }

    @Test
    void aFailFastRunResumedPastItsDeadlineSkipsTheTasksItsLogShowsRunningInsteadOfCallingThemForNothing()
            throws Exception {
        // its timeout would stop them at once: the run ends FAILED with its own error, as it did before the crash
        InMemoryRunStore store = new InMemoryRunStore();
        ManualTime time = new ManualTime(Instant.parse("2026-05-01T00:00:00Z"));
        Plan plan = Plan.builder().task("bad", "bad", Map.of()).task("slow", "hang", Map.of()).build();
        RunOptions options = RunOptions.builder().runId("late").schedulingMode(SchedulingMode.EAGER)
                .timeout(Duration.ofMinutes(1)).build();
        leaveFailedWhileRunning(store, time, plan, options, "hang");
        time.advance(Duration.ofMinutes(2));
        AtomicInteger slowCalls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .service("hang", ctx -> slowCalls.incrementAndGet())
                .service("bad", ctx -> "not again")
                .build()) {
            RunResult r = o.submit(plan, options).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("bad");
            assertThat(r.error().orElseThrow().code()).isNotEqualTo("RUN_TIMEOUT");
            assertThat(slowCalls).hasValue(0);
            assertThat(o.inspect("late").orElseThrow().task("slow").orElseThrow().status())
                    .isEqualTo(TaskStatus.SKIPPED);
            assertThat(LogInvariants.check(store.events("late"))).isEmpty();
        }
    }

    @Test
    void aResumedFailFastTaskWaitingForItsSlotIsNotSkippedWhenAnotherResumedTaskFails() throws Exception {
        // s1, s2 and s3 had started when "bad" failed; after the restart s2 and s3 share a slot of service "pair",
        // so s3 waits for it while s1 fails for good: s3 still runs, as it would have in the live run, where it was
        // running already
        InMemoryRunStore store = new InMemoryRunStore();
        ManualTime time = new ManualTime(Instant.parse("2026-05-01T00:00:00Z"));
        Plan plan = Plan.builder()
                .task("bad", "bad", Map.of())
                .task("s1", "one", Map.of())
                .task("s2", "pair", Map.of())
                .task("s3", "pair", Map.of())
                .build();
        RunOptions options = RunOptions.builder().runId("slots").schedulingMode(SchedulingMode.EAGER).build();
        leaveFailedWhileRunning(store, time, plan, options, "one", "pair");
        List<String> calls = new CopyOnWriteArrayList<>();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.none())
                .service("one", ctx -> {
                    calls.add(ctx.taskId());
                    throw new NonRetryableException("s1 broke too");
                })
                .service(ServiceDescriptor.of("pair"), ctx -> {
                    calls.add(ctx.taskId());
                    return "ok";
                }, ServiceOptions.builder().capacity(1).build())
                .service("bad", ctx -> "not again")
                .build()) {
            RunResult r = o.submit(plan, options).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("bad");
            assertThat(calls).containsExactlyInAnyOrder("s1", "s2", "s3");
            RunView v = o.inspect("slots").orElseThrow();
            assertThat(v.task("s1").orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(v.task("s2").orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(v.task("s3").orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(LogInvariants.check(store.events("slots"))).isEmpty();
        }
    }
}
