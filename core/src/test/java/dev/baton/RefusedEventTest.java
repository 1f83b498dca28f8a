package dev.baton;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.EventRejectedException;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoreException;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that will never take one of a run's events ({@link EventRejectedException}: an output or a resolved input
 * longer than it keeps) does not leave the run waiting: the event's task fails for good with {@code EVENT_REJECTED},
 * it is dead-lettered, and the run goes on from its log under its failure policy; nothing the store refused is
 * reported, and the log keeps its invariants.
 */
class RefusedEventTest {

    private static final int LIMIT = 10_000;
    private static final String BIG = "y".repeat(12_000);
    private static final String HALF = "h".repeat(6_000);

    /**
     * Refuses for good, while {@code refuse} is set, every event whose text is longer than {@link #LIMIT} (and every
     * dead letter, with {@code deadLetters} set).
     */
    private static final class Limited extends ForwardingRunStore {
        final AtomicBoolean refuse = new AtomicBoolean(true);
        final AtomicBoolean deadLetters = new AtomicBoolean();
        final AtomicInteger downFor = new AtomicInteger();
        final List<Long> refusedSeqs = new CopyOnWriteArrayList<>();

        Limited(RunStore delegate) {
            super(delegate);
        }

        @Override
        public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
            if (refuse.get()) {
                for (RunEvent e : events) {
                    if (e.toString().length() > LIMIT || (deadLetters.get() && e instanceof TaskDeadLettered)) {
                        refusedSeqs.add(e.seq());
                        throw new EventRejectedException(runId, e.seq(), "run '" + runId + "', seq " + e.seq()
                                + ": the event is longer than this store keeps");
                    }
                }
                if (downFor.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new StoreException("down for a moment");
                }
            }
            super.append(runId, expectedSeq, events, owner, now);
        }
    }

    private static final Plan WRITE_THEN_READ = Plan.builder()
            .task("write", "writer", Map.of())
            .task("next", "reader", Map.of("n", "$write.n"))
            .build();

    @Test
    void anOutputTheStoreRefusesFailsItsTaskWhichCanBeRedrivenOnceTheStoreTakesIt() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        List<String> writes = new CopyOnWriteArrayList<>();
        AtomicInteger reads = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run)
                .service("writer", ctx -> {
                    writes.add(ctx.executionId());
                    return Map.of("n", writes.size(), "doc", BIG);
                })
                .service("reader", ctx -> {
                    reads.incrementAndGet();
                    return Map.of("n", ctx.input().get("n"));
                })
                .build()) {
            RunResult r = o.submit(WRITE_THEN_READ, RunOptions.builder().runId("r1").build())
                    .await(Duration.ofSeconds(10));

            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            RunError err = r.error().orElseThrow();
            assertThat(err.taskId()).isEqualTo("write");
            assertThat(err.code()).isEqualTo("EVENT_REJECTED");
            assertThat(err.message()).contains("seq 3").contains("longer than this store keeps");
            assertThat(r.outputs()).isEmpty();
            assertThat(writes).containsExactly("r1/write");
            assertThat(reads).hasValue(0);
            List<RunEvent> log = mem.events("r1");
            assertThat(log).noneMatch(e -> e instanceof TaskCompleted);
            assertThat(LogInvariants.check(log)).isEmpty();
            RunView view = o.inspect("r1").orElseThrow();
            assertThat(view.task("write").orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(view.task("write").orElseThrow().attempts()).isEqualTo(1);
            assertThat(view.task("next").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
            assertThat(o.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.taskId()).isEqualTo("write");
                assertThat(d.attempts()).singleElement().satisfies(a -> assertThat(a.code()).isEqualTo("EVENT_REJECTED"));
            });

            // the cause gone, the dead letter is redriven: the task runs again under the same execution id
            store.refuse.set(false);
            RunResult again = o.redrive("r1", "write").await(Duration.ofSeconds(10));
            assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(again.output("next")).isEqualTo(Map.of("n", 2));
            assertThat(writes).containsExactly("r1/write", "r1/write");
            assertThat(reads).hasValue(1);
            assertThat(LogInvariants.check(mem.events("r1"))).isEmpty();
        }
    }

    @Test
    void theSlotsOfStartsThatWereNeverWrittenAreGivenBack() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        // the refused completion's batch also held the start of "next", which took the only slot
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run).maxParallel(1)
                .service("writer", ctx -> Map.of("n", 1, "doc", BIG))
                .service("reader", ctx -> Map.of())
                .build()) {
            RunResult r = o.submit(WRITE_THEN_READ, RunOptions.builder().runId("r6").build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(o.status().runningTasks()).isZero();
            store.refuse.set(false);
            assertThat(o.submit(WRITE_THEN_READ).await(Duration.ofSeconds(10)).status())
                    .isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void underContinueTheIndependentBranchRunsToTheEndAndItsRunningTaskIsDispatchedAgain() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        CompletableFuture<Object> slow = new CompletableFuture<>();
        List<String> slowCalls = new CopyOnWriteArrayList<>();
        Plan plan = Plan.builder()
                .task("other", "slow", Map.of())
                .task("write", "writer", Map.of())
                .task("next", "reader", Map.of("n", "$write.n"))
                .build();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run)
                .asyncService("slow", ctx -> {
                    slowCalls.add(ctx.executionId());
                    return slowCalls.size() == 1 ? new CompletableFuture<>() : slow; // the first call never ends
                })
                .service("writer", ctx -> Map.of("n", 1, "doc", BIG))
                .service("reader", ctx -> Map.of())
                .build()) {
            RunHandle h = o.submit(plan, RunOptions.builder().runId("r2").failurePolicy(FailurePolicy.CONTINUE).build());
            // the refused completion stopped the first execution; the resumed one dispatched "other" again, since
            // the log shows it running, with the same execution id, as recovery after a crash does
            assertThat(slowCalls).containsExactly("r2/other", "r2/other");
            assertThat(h.result()).isNotDone();
            slow.complete(Map.of("done", true));
            RunResult r = h.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("write");
            assertThat(r.output("other")).isEqualTo(Map.of("done", true));
            RunView view = o.inspect("r2").orElseThrow();
            assertThat(view.task("next").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
            assertThat(LogInvariants.check(mem.events("r2"))).isEmpty();
        }
    }

    @Test
    void underFailFastATaskStillRunningWhenTheEventIsRefusedRunsAgainAndIsWaitedFor() {
        // the refusal interrupts the running task and the run goes on from its log, where that task has started
        // without an outcome: as a live run that fails fast waits for its running tasks, the resumed one dispatches
        // it again under the same execution id and ends FAILED once its outcome is recorded
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        List<String> slowCalls = new CopyOnWriteArrayList<>();
        Plan plan = Plan.builder()
                .task("other", "slow", Map.of())
                .task("write", "writer", Map.of())
                .build();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run)
                .asyncService("slow", ctx -> {
                    slowCalls.add(ctx.executionId());
                    // the first call is still running when the refusal comes; the second one ends
                    return slowCalls.size() == 1 ? new CompletableFuture<>()
                            : CompletableFuture.completedFuture(Map.of("done", true));
                })
                .service("writer", ctx -> Map.of("doc", BIG))
                .build()) {
            RunResult r = o.submit(plan, RunOptions.builder().runId("r7").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("write");
            TaskView other = o.inspect("r7").orElseThrow().task("other").orElseThrow();
            assertThat(slowCalls).hasSize(2).containsOnly(other.executionId());
            assertThat(other.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(other.output()).isEqualTo(Map.of("done", true));
            assertThat(LogInvariants.check(mem.events("r7"))).isEmpty();
        }
    }

    @Test
    void aDeadLetterTheStoreRefusesTooLeavesTheFailureWrittenWithoutIt() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        store.deadLetters.set(true);
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run)
                .service("writer", ctx -> Map.of("n", 1, "doc", BIG))
                .service("reader", ctx -> Map.of())
                .build()) {
            RunResult r = o.submit(WRITE_THEN_READ, RunOptions.builder().runId("r8").build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("EVENT_REJECTED");
            List<RunEvent> log = mem.events("r8");
            assertThat(log).filteredOn(e -> e instanceof TaskFailed).singleElement()
                    .satisfies(e -> assertThat(e.taskId()).isEqualTo("write"));
            assertThat(log).noneMatch(e -> e instanceof TaskDeadLettered);
            assertThat(o.deadLetters()).isEmpty();
            assertThat(LogInvariants.check(log)).isEmpty();
        }
    }

    @Test
    void aResolvedInputTheStoreRefusesFailsItsTaskWithoutCallingItsHandler() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        AtomicInteger joins = new AtomicInteger();
        Plan plan = Plan.builder()
                .task("half", "producer", Map.of())
                .task("join", "joiner", Map.of("a", "$half.doc", "b", "$half.doc"))
                .build();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run)
                .service("producer", ctx -> Map.of("doc", HALF))
                .service("joiner", ctx -> {
                    joins.incrementAndGet();
                    return Map.of();
                })
                .build()) {
            RunResult r = o.submit(plan, RunOptions.builder().runId("r3").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("join");
            assertThat(r.error().orElseThrow().code()).isEqualTo("EVENT_REJECTED");
            assertThat(r.output("half")).isEqualTo(Map.of("doc", HALF)); // written with the refused start: kept
            assertThat(joins).hasValue(0);
            List<RunEvent> log = mem.events("r3");
            // the start on record carries the planned input, as for an input that cannot be resolved
            assertThat(log).filteredOn(e -> e instanceof TaskStarted s && s.taskId().equals("join"))
                    .singleElement().satisfies(e -> assertThat(((TaskStarted) e).input())
                            .isEqualTo(Map.of("a", "$half.doc", "b", "$half.doc")));
            assertThat(log).filteredOn(e -> e instanceof TaskDeadLettered).hasSize(1);
            assertThat(LogInvariants.check(log)).isEmpty();
        }
    }

    @Test
    void aStoreThatIsDownWhenTheFailureIsRecordedIsTriedAgainWithTheClock() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        CompletableFuture<Object> write = new CompletableFuture<>();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .asyncService("writer", ctx -> write)
                .service("reader", ctx -> Map.of())
                .build()) {
            RunHandle h = o.submit(WRITE_THEN_READ, RunOptions.builder().runId("r4").build());
            store.downFor.set(1); // the append of the failure, right after the refusal, fails once
            write.complete(Map.of("n", 1, "doc", BIG));
            assertThat(h.result()).isNotDone();
            assertThat(mem.events("r4")).noneMatch(e -> e instanceof TaskFailed);
            time.advance(Duration.ofSeconds(1));
            RunResult r = h.await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("EVENT_REJECTED");
            assertThat(store.refusedSeqs).containsExactly(3L);
            assertThat(LogInvariants.check(mem.events("r4"))).isEmpty();
        }
    }

    @Test
    void aCloseBeforeTheFailureIsRecordedFailsTheHandleAndLeavesTheRunRecoverable() {
        InMemoryRunStore mem = new InMemoryRunStore();
        Limited store = new Limited(mem);
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        CompletableFuture<Object> write = new CompletableFuture<>();
        Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO)
                .asyncService("writer", ctx -> write)
                .service("reader", ctx -> Map.of())
                .build();
        RunHandle h = o.submit(WRITE_THEN_READ, RunOptions.builder().runId("r5").build());
        store.downFor.set(1);
        write.complete(Map.of("n", 1, "doc", BIG));
        o.close(); // before the retry of the failure's append
        assertThat(h.result()).isCompletedExceptionally();
        time.advance(Duration.ofSeconds(5));
        assertThat(mem.events("r5")).noneMatch(e -> e instanceof TaskFailed);
        assertThat(LogInvariants.check(mem.events("r5"))).isEmpty();
        // the next orchestrator takes the run up from its log: the task runs again, and this time the store takes it
        store.refuse.set(false);
        try (Orchestrator next = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .service("writer", ctx -> Map.of("n", 2, "doc", BIG))
                .service("reader", ctx -> Map.of("n", ctx.input().get("n")))
                .build()) {
            RunResult r = next.submit(WRITE_THEN_READ, RunOptions.builder().runId("r5").build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("next")).isEqualTo(Map.of("n", 2));
            assertThat(LogInvariants.check(mem.events("r5"))).isEmpty();
        }
    }
}
