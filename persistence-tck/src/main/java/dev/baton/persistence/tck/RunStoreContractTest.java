package dev.baton.persistence.tck;

import dev.baton.event.ErrorInfo;
import dev.baton.event.FailedAttempt;
import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunCancelled;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCancelled;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.event.WebhookAttempted;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskSkipped;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.DeadLetterCursor;
import dev.baton.persistence.Lease;
import dev.baton.persistence.LeaseLostException;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunState;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.plan.Plan;
import dev.baton.planner.PlanProblem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link RunStore} honours. A store's test extends this class once and says how to make a fresh,
 * empty store:
 *
 * <pre>{@code
 * class MyRunStoreTest extends RunStoreContractTest {
 *     @Override
 *     protected RunStore createStore() {
 *         return new MyRunStore(...);
 *     }
 * }
 * }</pre>
 *
 * <p>Every test ends by checking {@link LogInvariants} over every log left in the store. Time is passed in, never
 * read from a clock, and concurrency is coordinated with barriers, never with sleeps.
 */
public abstract class RunStoreContractTest {

    /** The fixed time the tests start from. */
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The store under test, made fresh for each test. */
    protected RunStore store;

    /**
     * Makes a fresh store with no runs in it.
     *
     * @return the store; closed by the kit after each test
     * @throws Exception if it cannot be made
     */
    protected abstract RunStore createStore() throws Exception;

    /**
     * How many threads the concurrency tests use; a store whose appends are slow may lower it.
     *
     * @return thread count, at least 2
     */
    protected int concurrency() {
        return 8;
    }

    /** Makes the store. */
    @BeforeEach
    void setUpStore() throws Exception {
        store = createStore();
    }

    /** Checks every log's invariants and closes the store. */
    @AfterEach
    void checkInvariantsAndClose() throws Exception {
        try {
            if (store != null) {
                for (RunRecord r : store.runs(RunFilter.all(RunFilter.MAX_LIMIT))) {
                    List<RunEvent> log = store.events(r.runId());
                    assertThat(LogInvariants.check(log)).as("log invariants of run %s", r.runId()).isEmpty();
                    assertThat(log).as("run %s summary matches its log", r.runId()).hasSize((int) r.lastSeq());
                }
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    // ---------------------------------------------------------------- fixtures

    /** @return a small plan with parameters and two tasks */
    protected static Plan plan() {
        return Plan.builder()
                .params(Map.of("customerId", "CUST789"))
                .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("task2", "ai-agent", Map.of("customer", "$task1"), List.of("task1"))
                .build();
    }

    /**
     * @param runId run id
     * @param at    creation time
     * @return a run's first event
     */
    protected static RunCreated created(String runId, Instant at) {
        return new RunCreated(runId, 1, at, plan(),
                new RunSettings("corr-" + runId, 0, "GROUPS", "FAIL_FAST", null, Map.of()));
    }

    private static TaskStarted started(String runId, long seq, String taskId, int attempt) {
        return new TaskStarted(runId, seq, T0.plusSeconds(seq), taskId, runId + "/" + taskId, attempt,
                Map.of("customerId", "CUST789"));
    }

    private static TaskCompleted completed(String runId, long seq, String taskId, int attempt) {
        return new TaskCompleted(runId, seq, T0.plusSeconds(seq), taskId, runId + "/" + taskId, attempt,
                Map.of("name", "Ada", "seq", (int) seq), false);
    }

    private void create(String runId, Instant at) {
        store.append(runId, 0, List.of(created(runId, at)), null, at);
    }

    /** Creates a run and ends it at {@code endedAt} with a {@link RunCompleted}. */
    private void createAndComplete(String runId, Instant createdAt, Instant endedAt) {
        store.append(runId, 0, List.of(created(runId, createdAt), started(runId, 2, "task1", 1),
                completed(runId, 3, "task1", 1), new RunCompleted(runId, 4, endedAt)), null, endedAt);
    }

    private static <T> List<T> runConcurrently(int threads, Callable<T> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    return body.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- appends and reads

    @Test
    void aCreatedRunReadsBack() {
        RunCreated c = created("r1", T0);
        store.append("r1", 0, List.of(c), null, T0);

        assertThat(store.events("r1")).containsExactly(c);
        assertThat(store.run("r1")).contains(new RunRecord("r1", RunState.ACTIVE, T0, null, 1, "corr-r1", 2));
    }

    @Test
    void appendsContinueTheLog() {
        create("r1", T0);
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), null, T0);
        store.append("r1", 2, List.of(completed("r1", 3, "task1", 1)), null, T0);

        assertThat(store.events("r1")).extracting(RunEvent::seq).containsExactly(1L, 2L, 3L);
        assertThat(store.events("r1").get(2)).isEqualTo(completed("r1", 3, "task1", 1));
        assertThat(store.run("r1")).get().extracting(RunRecord::lastSeq, RunRecord::state)
                .containsExactly(3L, RunState.ACTIVE);
    }

    @Test
    void anUnknownRunHasNoLogAndNoSummary() {
        assertThat(store.events("nope")).isEmpty();
        assertThat(store.run("nope")).isEmpty();
    }

    @Test
    void everyEventTypeRoundTripsWithItsValues() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("text", "héllo \"quoted\" \n line");
        nested.put("int", 42);
        nested.put("big", 12_345_678_901L);
        nested.put("double", 1.5);
        nested.put("flag", true);
        nested.put("nothing", null);
        nested.put("list", List.of(1, "two", Map.of("three", 3)));
        Plan plan = Plan.builder()
                .params(Map.of("p", nested))
                .task("a", "svc-a", Map.of("x", "$task0.p.list[0]"))
                .task("b", "svc-b", Map.of("y", "$a"), List.of("a"))
                .parallelGroups(List.of(List.of("a"), List.of("b")))
                .build();
        RunSettings settings = new RunSettings(null, 4, "EAGER", "CONTINUE", Duration.ofMillis(1500),
                Map.of("webhook", Map.of("url", "https://example.org/hook"), "n", 7));
        ErrorInfo error = new ErrorInfo("TIMEOUT", "took too long", "java.util.concurrent.TimeoutException");
        Instant at = Instant.parse("2026-03-04T05:06:07.123456789Z");
        List<RunEvent> log = List.of(
                new RunCreated("rt", 1, at, plan, settings),
                new TaskStarted("rt", 2, at, "a", "rt/a", 1, nested),
                new TaskFailed("rt", 3, at, "a", "rt/a", 1, error, true),
                new TaskRetryScheduled("rt", 4, at, "a", "rt/a", 2, at.plusMillis(250)),
                new TaskStarted("rt", 5, at, "a", "rt/a", 2, Map.of()),
                new TaskFailed("rt", 6, at, "a", "rt/a", 2, ErrorInfo.of("HANDLER_ERROR", "boom"), false),
                new TaskDeadLettered("rt", 7, at, "a", "rt/a", "svc-a", nested,
                        List.of(new FailedAttempt(1, at, error), new FailedAttempt(2, at, ErrorInfo.of("X", "")))),
                new TaskRedriven("rt", 8, at, "a", "rt/a"),
                new TaskStarted("rt", 9, at, "a", "rt/a", 3, Map.of()),
                new TaskCompleted("rt", 10, at, "a", "rt/a", 3, List.of(nested, "s", 2.25), true),
                new TaskSkipped("rt", 11, at, "b", "a"),
                new TaskCancelled("rt", 12, at, "c"),
                new RunFailed("rt", 13, at, null, ErrorInfo.of("RUN_TIMEOUT", "run timed out")));
        store.append("rt", 0, log, null, at);

        assertThat(store.events("rt")).containsExactlyElementsOf(log);
        assertThat(store.run("rt")).contains(new RunRecord("rt", RunState.FAILED, at, at, 13, null, 2));
    }

    @Test
    void numbersReadBackExactlyAsTheyWereWritten() {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("int", -7);
        numbers.put("long", Long.MIN_VALUE);
        numbers.put("bigInteger", new java.math.BigInteger("123456789012345678901234567890"));
        numbers.put("double", 0.1);
        numbers.put("tiny", -2.5e-300);
        numbers.put("huge", 1e21);
        numbers.put("moreDigitsThanADouble", new java.math.BigDecimal("12345678901234567890.123456789"));
        numbers.put("amountWithItsScale", new java.math.BigDecimal("19.90"));
        numbers.put("exponent", new java.math.BigDecimal("1E+3"));
        numbers.put("inAList", List.of(new java.math.BigDecimal("0.10"), 2.5, 3));
        Instant at = Instant.parse("2026-03-04T05:06:07Z");
        Plan plan = Plan.builder().task("a", "svc", Map.of()).build();
        List<RunEvent> log = List.of(
                new RunCreated("num", 1, at, plan, new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)),
                new TaskStarted("num", 2, at, "a", "num/a", 1, numbers),
                new TaskCompleted("num", 3, at, "a", "num/a", 1, numbers, false));
        store.append("num", 0, log.subList(0, 1), null, at);
        store.append("num", 1, log.subList(1, 3), null, at);

        assertThat(store.events("num")).containsExactlyElementsOf(log);
        assertThat(store.completedExecution("num/a")).contains((TaskCompleted) log.get(2));
    }

    @Test
    void planRevisionEventsRoundTripAndKeepTheRunActive() {
        Instant at = Instant.parse("2026-03-04T05:06:07.000000001Z");
        Plan revised = Plan.builder()
                .params(Map.of("customerId", "CUST789"))
                .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("task3", "backup-agent", Map.of("customer", "$task1", "note", List.of(1, "x")))
                .build();
        List<RunEvent> log = List.of(
                created("rev", at),
                started("rev", 2, "task1", 1),
                new TaskCompleted("rev", 3, at, "task1", "rev/task1", 1, Map.of("name", "Ada"), false),
                started("rev", 4, "task2", 1),
                new TaskFailed("rev", 5, at, "task2", "rev/task2", 1, ErrorInfo.of("HANDLER_ERROR", "down"), false),
                new PlanRevisionRejected("rev", 6, at, 1, "task2", revised,
                        List.of(new PlanProblem("UNKNOWN_SERVICE", "task3", "/tasks/2/service", "no such service"),
                                new PlanProblem("NO_PLAN", null, "", "none"))),
                new PlanRevisionRejected("rev", 7, at, 2, "task2", null, List.of()),
                new PlanRevised("rev", 8, at, 2, revised, "task2", List.of("task1"),
                        Map.of("task1", "rev/task1", "task3", "rev/task3"),
                        Map.of("customer-service", 1, "backup-agent", 3)));
        store.append("rev", 0, log, null, at);

        assertThat(store.events("rev")).containsExactlyElementsOf(log);
        assertThat(store.run("rev")).get().extracting(RunRecord::state, RunRecord::lastSeq)
                .containsExactly(RunState.ACTIVE, 8L);
        assertThat(store.unfinishedRuns()).contains("rev");
        assertThat(LogInvariants.check(store.events("rev"))).isEmpty();
    }

    @Test
    void webhookAttemptsAfterTheEndRoundTripAndKeepTheRunEnded() {
        createAndComplete("wh", T0, T0.plusSeconds(10));
        long seq = store.run("wh").orElseThrow().lastSeq();
        Instant at = Instant.parse("2026-03-04T05:06:07.123456789Z");
        List<RunEvent> attempts = List.of(
                new WebhookAttempted("wh", seq + 1, at, seq, "https://hooks.example.org/r?x=1", 1,
                        WebhookAttempted.RETRYING, 503, "HTTP 503", at.plusMillis(1500)),
                new WebhookAttempted("wh", seq + 2, at.plusSeconds(2), seq, "https://hooks.example.org/r?x=1", 2,
                        WebhookAttempted.FAILED, 0, null, null));
        store.append("wh", seq, attempts.subList(0, 1), null, at);
        store.append("wh", seq + 1, attempts.subList(1, 2), null, at);

        assertThat(store.events("wh").subList((int) seq, (int) seq + 2)).containsExactlyElementsOf(attempts);
        assertThat(store.run("wh")).get().extracting(RunRecord::state, RunRecord::endedAt, RunRecord::lastSeq)
                .containsExactly(RunState.COMPLETED, T0.plusSeconds(10), seq + 2);
        assertThat(store.unfinishedRuns()).doesNotContain("wh");
        assertThat(LogInvariants.check(store.events("wh"))).isEmpty();
    }

    @Test
    void terminalEventsSetStateAndEndTime() {
        createAndComplete("done", T0, T0.plusSeconds(10));
        create("failed", T0);
        store.append("failed", 1, List.of(new RunFailed("failed", 2, T0.plusSeconds(5), "task1",
                ErrorInfo.of("HANDLER_ERROR", "no"))), null, T0);
        create("cancelled", T0);
        store.append("cancelled", 1, List.of(new RunCancelled("cancelled", 2, T0.plusSeconds(6), "user")), null, T0);

        assertThat(store.run("done")).get().extracting(RunRecord::state, RunRecord::endedAt)
                .containsExactly(RunState.COMPLETED, T0.plusSeconds(10));
        assertThat(store.run("failed")).get().extracting(RunRecord::state, RunRecord::endedAt)
                .containsExactly(RunState.FAILED, T0.plusSeconds(5));
        assertThat(store.run("cancelled")).get().extracting(RunRecord::state, RunRecord::endedAt)
                .containsExactly(RunState.CANCELLED, T0.plusSeconds(6));
    }

    // ---------------------------------------------------------------- sequence checks

    @Test
    void aStaleAppendIsRejectedAndWritesNothing() {
        create("r1", T0);
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), null, T0);

        assertThatThrownBy(() -> store.append("r1", 1, List.of(started("r1", 2, "task2", 1)), null, T0))
                .isInstanceOfSatisfying(SequenceConflictException.class, e -> {
                    assertThat(e.runId()).isEqualTo("r1");
                    assertThat(e.expected()).isEqualTo(1);
                    assertThat(e.actual()).isEqualTo(2);
                });
        assertThat(store.events("r1")).hasSize(2);
        assertThat(store.events("r1").get(1).taskId()).isEqualTo("task1");
    }

    @Test
    void appendingToAnUnknownRunIsAConflict() {
        assertThatThrownBy(() -> store.append("ghost", 3, List.of(started("ghost", 4, "task1", 1)), null, T0))
                .isInstanceOfSatisfying(SequenceConflictException.class, e -> assertThat(e.actual()).isZero());
        assertThat(store.run("ghost")).isEmpty();
    }

    @Test
    void aRunIdCanBeCreatedOnlyOnce() {
        create("r1", T0);

        assertThatThrownBy(() -> store.append("r1", 0, List.of(created("r1", T0.plusSeconds(1))), null, T0))
                .isInstanceOfSatisfying(SequenceConflictException.class, e -> {
                    assertThat(e.expected()).isZero();
                    assertThat(e.actual()).isEqualTo(1);
                });
        assertThat(store.events("r1")).containsExactly(created("r1", T0));
    }

    @Test
    void malformedBatchesAreRejectedBeforeTheStoreIsTouched() {
        create("r1", T0);

        assertThatThrownBy(() -> store.append("r1", 1, List.of(), null, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("r1", 1, List.of(started("r1", 3, "task1", 1)), null, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("r1", 1, List.of(started("other", 2, "task1", 1)), null, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("r2", 0, List.of(started("r2", 1, "task1", 1)), null, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("r1", 1,
                List.of(started("r1", 2, "task1", 1), completed("r1", 2, "task1", 1)), null, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.events("r1")).hasSize(1);
        assertThat(store.run("r2")).isEmpty();
    }

    @Test
    void aBatchLandsWhollyOrNotAtAll() {
        create("r1", T0);
        List<RunEvent> batch = List.of(started("r1", 2, "task1", 1), completed("r1", 3, "task1", 1),
                started("r1", 4, "task2", 1));
        store.append("r1", 1, batch, null, T0);
        assertThat(store.events("r1")).hasSize(4).endsWith(batch.toArray(RunEvent[]::new));

        List<RunEvent> stale = List.of(started("r1", 4, "task3", 1), completed("r1", 5, "task3", 1));
        assertThatThrownBy(() -> store.append("r1", 3, stale, null, T0)).isInstanceOf(SequenceConflictException.class);
        assertThat(store.events("r1")).hasSize(4).doesNotContainAnyElementsOf(stale);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void manyThreadsCreatingOneRunIdExactlyOneWins() throws Exception {
        AtomicInteger n = new AtomicInteger();
        List<Boolean> won = runConcurrently(concurrency() * 2, () -> {
            Instant at = T0.plusMillis(n.incrementAndGet());
            try {
                store.append("contested", 0, List.of(created("contested", at)), null, at);
                return true;
            } catch (SequenceConflictException e) {
                return false;
            }
        });

        assertThat(won).filteredOn(w -> w).hasSize(1);
        assertThat(store.events("contested")).hasSize(1);
        assertThat(store.runs(RunFilter.all(100))).hasSize(1);
    }

    @Test
    void concurrentAppendersToOneRunNeverInterleave() throws Exception {
        create("shared", T0);
        int perThread = 5;
        AtomicInteger ids = new AtomicInteger();
        runConcurrently(concurrency(), () -> {
            String task = "t" + ids.incrementAndGet();
            int done = 0;
            int attempt = 0;
            while (done < perThread) {
                long last = store.run("shared").orElseThrow().lastSeq();
                int a = ++attempt;
                try {
                    store.append("shared", last, List.of(started("shared", last + 1, task, a),
                            completed("shared", last + 2, task, a)), null, T0);
                    done++;
                } catch (SequenceConflictException e) {
                    assertThat(e.actual()).isGreaterThan(last);
                }
            }
            return done;
        });

        List<RunEvent> log = store.events("shared");
        assertThat(log).hasSize(1 + concurrency() * perThread * 2);
        for (int i = 1; i < log.size(); i += 2) {
            // each batch is a start directly followed by its own completion: nobody wrote in between
            assertThat(log.get(i)).isInstanceOf(TaskStarted.class);
            assertThat(log.get(i + 1)).isInstanceOf(TaskCompleted.class);
            assertThat(log.get(i + 1).taskId()).isEqualTo(log.get(i).taskId());
            assertThat(((TaskCompleted) log.get(i + 1)).attempt()).isEqualTo(((TaskStarted) log.get(i)).attempt());
        }
    }

    @Test
    void concurrentAppendersToDifferentRunsAllSucceed() throws Exception {
        int perThread = 10;
        AtomicInteger ids = new AtomicInteger();
        List<String> runs = runConcurrently(concurrency(), () -> {
            String run = "own-" + ids.incrementAndGet();
            create(run, T0);
            long seq = 1;
            for (int i = 0; i < perThread; i++) {
                store.append(run, seq, List.of(started(run, seq + 1, "t" + i, 1), completed(run, seq + 2, "t" + i, 1)),
                        null, T0);
                seq += 2;
            }
            return run;
        });

        for (String run : runs) {
            assertThat(store.events(run)).extracting(RunEvent::seq)
                    .containsExactlyElementsOf(sequence(1 + perThread * 2));
        }
    }

    @Test
    void aConflictDoesNotFailOtherAppendsInFlight() throws Exception {
        create("hot", T0);
        store.append("hot", 1, List.of(started("hot", 2, "task1", 1)), null, T0);
        AtomicInteger ids = new AtomicInteger();
        List<String> outcomes = runConcurrently(concurrency() * 2, () -> {
            int i = ids.incrementAndGet();
            if (i % 2 == 0) {
                try { // stale on purpose
                    store.append("hot", 1, List.of(started("hot", 2, "x" + i, 1)), null, T0);
                    return "stale-accepted";
                } catch (SequenceConflictException e) {
                    return "conflict";
                }
            }
            String run = "fine-" + i;
            create(run, T0);
            store.append(run, 1, List.of(started(run, 2, "task1", 1)), null, T0);
            return "ok";
        });

        assertThat(outcomes).filteredOn("ok"::equals).hasSize(concurrency());
        assertThat(outcomes).filteredOn("conflict"::equals).hasSize(concurrency());
        assertThat(store.events("hot")).hasSize(2);
    }

    private static List<Long> sequence(int n) {
        Long[] out = new Long[n];
        for (int i = 0; i < n; i++) {
            out[i] = i + 1L;
        }
        return Arrays.asList(out);
    }

    // ---------------------------------------------------------------- queries

    @Test
    void runsAreFilteredByStateAndTimeNewestFirstAndPaged() {
        createAndComplete("c1", T0.plusSeconds(1), T0.plusSeconds(2));
        create("a2", T0.plusSeconds(2));
        createAndComplete("c3", T0.plusSeconds(3), T0.plusSeconds(4));
        create("a4", T0.plusSeconds(4));
        create("a5", T0.plusSeconds(5));

        assertThat(store.runs(RunFilter.all(10))).extracting(RunRecord::runId)
                .containsExactly("a5", "a4", "c3", "a2", "c1");
        assertThat(store.runs(new RunFilter(Set.of(RunState.ACTIVE), null, null, 10, 0)))
                .extracting(RunRecord::runId).containsExactly("a5", "a4", "a2");
        assertThat(store.runs(new RunFilter(Set.of(RunState.COMPLETED, RunState.FAILED), null, null, 10, 0)))
                .extracting(RunRecord::runId).containsExactly("c3", "c1");
        assertThat(store.runs(new RunFilter(Set.of(), T0.plusSeconds(2), T0.plusSeconds(4), 10, 0)))
                .extracting(RunRecord::runId).containsExactly("c3", "a2");
        assertThat(store.runs(new RunFilter(Set.of(), null, null, 2, 0))).extracting(RunRecord::runId)
                .containsExactly("a5", "a4");
        assertThat(store.runs(new RunFilter(Set.of(), null, null, 2, 2))).extracting(RunRecord::runId)
                .containsExactly("c3", "a2");
        assertThat(store.runs(new RunFilter(Set.of(), null, null, 2, 4))).extracting(RunRecord::runId)
                .containsExactly("c1");
        assertThat(store.runs(new RunFilter(Set.of(), null, null, 2, 6))).isEmpty();
        assertThat(store.runs(new RunFilter(Set.of(RunState.CANCELLED), null, null, 10, 0))).isEmpty();
    }

    @Test
    void unfinishedRunsAreTheActiveOnesOldestFirst() {
        create("late", T0.plusSeconds(9));
        createAndComplete("done", T0.plusSeconds(1), T0.plusSeconds(2));
        create("early", T0.plusSeconds(3));

        assertThat(store.unfinishedRuns()).containsExactly("early", "late");

        store.append("early", 1, List.of(new RunCancelled("early", 2, T0.plusSeconds(10), "stop")), null, T0);
        assertThat(store.unfinishedRuns()).containsExactly("late");
    }

    @Test
    void completedExecutionsAreLookedUpById() {
        create("r1", T0);
        assertThat(store.completedExecution("r1/task1")).isEmpty();
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1), completed("r1", 3, "task1", 1)), null, T0);

        assertThat(store.completedExecution("r1/task1")).contains(completed("r1", 3, "task1", 1));
        assertThat(store.completedExecution("r1/task2")).isEmpty();
        assertThat(store.completedExecution("unknown")).isEmpty();
    }

    @Test
    void deadLettersStayUntilRedriven() {
        create("r1", T0);
        create("r2", T0);
        ErrorInfo boom = ErrorInfo.of("HANDLER_ERROR", "boom");
        TaskDeadLettered first = new TaskDeadLettered("r1", 4, T0.plusSeconds(1), "task1", "r1/task1", "svc",
                Map.of("k", "v"), List.of(new FailedAttempt(1, T0, boom)));
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1),
                new TaskFailed("r1", 3, T0, "task1", "r1/task1", 1, boom, false), first), null, T0);
        TaskDeadLettered second = new TaskDeadLettered("r2", 4, T0.plusSeconds(2), "task1", "r2/task1", "svc",
                Map.of(), List.of(new FailedAttempt(1, T0, boom)));
        store.append("r2", 1, List.of(started("r2", 2, "task1", 1),
                new TaskFailed("r2", 3, T0, "task1", "r2/task1", 1, boom, false), second), null, T0);

        assertThat(store.deadLetters()).containsExactly(first, second);

        store.append("r1", 4, List.of(new TaskRedriven("r1", 5, T0.plusSeconds(3), "task1", "r1/task1")), null, T0);
        assertThat(store.deadLetters()).containsExactly(second);

        TaskDeadLettered again = new TaskDeadLettered("r1", 8, T0.plusSeconds(4), "task1", "r1/task1", "svc",
                Map.of(), List.of(new FailedAttempt(2, T0, boom)));
        store.append("r1", 5, List.of(started("r1", 6, "task1", 2),
                new TaskFailed("r1", 7, T0, "task1", "r1/task1", 2, boom, false), again), null, T0);
        assertThat(store.deadLetters()).containsExactly(second, again);
    }

    @Test
    void deadLettersComeInBoundedPagesInTheirOrder() {
        ErrorInfo boom = ErrorInfo.of("HANDLER_ERROR", "boom");
        Map<String, Long> seqs = new LinkedHashMap<>();
        List<TaskDeadLettered> all = new ArrayList<>();
        // ties in time are ordered by run id, then task id; ids of another length and case sort by code point
        String[][] letters = {{"r-b", "task2", "1"}, {"r-a", "task3", "1"}, {"r-a", "task1", "1"}, {"r-c", "task1", "0"},
                {"r-b", "task1", "1"}, {"r-d", "task1", "2"}, {"r-c", "Task9", "3"}, {"r-B", "task1", "1"}};
        for (String[] l : letters) {
            String run = l[0];
            String task = l[1];
            long seq = seqs.computeIfAbsent(run, r -> {
                create(r, T0);
                return 1L;
            });
            TaskDeadLettered d = new TaskDeadLettered(run, seq + 3, T0.plusSeconds(Long.parseLong(l[2])), task,
                    run + "/" + task, "svc", Map.of(), List.of(new FailedAttempt(1, T0, boom)));
            store.append(run, seq, List.of(started(run, seq + 1, task, 1),
                    new TaskFailed(run, seq + 2, T0, task, run + "/" + task, 1, boom, false), d), null, T0);
            seqs.put(run, seq + 3);
            all.add(d);
        }
        List<TaskDeadLettered> expected = all.stream().sorted(DeadLetterCursor.ORDER).toList();
        assertThat(expected.get(0).runId()).isEqualTo("r-c");
        assertThat(store.deadLetters()).containsExactlyElementsOf(expected);

        List<TaskDeadLettered> paged = new ArrayList<>();
        List<TaskDeadLettered> page = store.deadLetters(null, 3);
        while (!page.isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(3);
            paged.addAll(page);
            page = store.deadLetters(DeadLetterCursor.after(page.get(page.size() - 1)), 3);
        }
        assertThat(paged).containsExactlyElementsOf(expected);
        assertThat(store.deadLetters(null, RunFilter.MAX_LIMIT)).containsExactlyElementsOf(expected);

        // a page starts after its cursor's place even when that dead letter is gone (redriven)
        TaskDeadLettered third = expected.get(2);
        store.append(third.runId(), seqs.get(third.runId()), List.of(new TaskRedriven(third.runId(),
                seqs.get(third.runId()) + 1, T0.plusSeconds(9), third.taskId(), third.executionId())), null, T0);
        assertThat(store.deadLetters(DeadLetterCursor.after(third), 2)).containsExactlyElementsOf(expected.subList(3, 5));
        assertThat(store.deadLetters(DeadLetterCursor.after(expected.get(1)), 2))
                .containsExactlyElementsOf(expected.subList(3, 5));

        assertThatThrownBy(() -> store.deadLetters(null, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> store.deadLetters(null, RunFilter.MAX_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- purge

    @Test
    void purgeDeletesRunsThatEndedBeforeTheCutOff() {
        createAndComplete("old", T0, T0.plusSeconds(10));
        createAndComplete("recent", T0, T0.plusSeconds(100));
        create("active", T0);
        ErrorInfo boom = ErrorInfo.of("HANDLER_ERROR", "boom");
        store.append("oldfail", 0, List.of(created("oldfail", T0), started("oldfail", 2, "task1", 1),
                new TaskFailed("oldfail", 3, T0, "task1", "oldfail/task1", 1, boom, false),
                new TaskDeadLettered("oldfail", 4, T0, "task1", "oldfail/task1", "svc", Map.of(),
                        List.of(new FailedAttempt(1, T0, boom))),
                new RunFailed("oldfail", 5, T0.plusSeconds(20), "task1", boom)), null, T0);
        assertThat(store.deadLetters()).hasSize(1);

        assertThat(store.purge(T0.plusSeconds(50))).isEqualTo(2);

        assertThat(store.run("old")).isEmpty();
        assertThat(store.events("old")).isEmpty();
        assertThat(store.completedExecution("old/task1")).isEmpty();
        assertThat(store.run("oldfail")).isEmpty();
        assertThat(store.deadLetters()).isEmpty();
        assertThat(store.run("recent")).isPresent();
        assertThat(store.completedExecution("recent/task1")).isPresent();
        assertThat(store.run("active")).isPresent();
        assertThat(store.runs(RunFilter.all(10))).extracting(RunRecord::runId).containsExactlyInAnyOrder("recent", "active");
        assertThat(store.purge(T0.plusSeconds(50))).isZero();
    }

    // ---------------------------------------------------------------- leases

    @Test
    void aLeaseIsAcquiredRenewedAndTakenOverOnlyAfterExpiry() {
        create("r1", T0);
        Duration ttl = Duration.ofSeconds(30);

        assertThat(store.tryLease("r1", "a", ttl, T0)).contains(new Lease("r1", "a", T0.plus(ttl)));
        assertThat(store.tryLease("r1", "b", ttl, T0.plusSeconds(10))).isEmpty();
        assertThat(store.tryLease("r1", "a", ttl, T0.plusSeconds(20)))
                .contains(new Lease("r1", "a", T0.plusSeconds(50)));
        assertThat(store.tryLease("r1", "b", ttl, T0.plusSeconds(49))).isEmpty();
        assertThat(store.tryLease("r1", "b", ttl, T0.plusSeconds(50)))
                .contains(new Lease("r1", "b", T0.plusSeconds(80)));
        assertThat(store.tryLease("r1", "a", ttl, T0.plusSeconds(60))).isEmpty();
    }

    @Test
    void aWriterWhoseLeaseWasTakenCannotAppend() {
        create("r1", T0);
        Duration ttl = Duration.ofSeconds(30);
        store.tryLease("r1", "a", ttl, T0).orElseThrow();
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), "a", T0.plusSeconds(1));
        assertThatThrownBy(() -> store.append("r1", 2, List.of(completed("r1", 3, "task1", 1)), "b", T0.plusSeconds(2)))
                .isInstanceOf(LeaseLostException.class);

        store.tryLease("r1", "b", ttl, T0.plusSeconds(31)).orElseThrow();

        assertThatThrownBy(() -> store.append("r1", 2, List.of(completed("r1", 3, "task1", 1)), "a", T0.plusSeconds(32)))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("'b'");
        assertThat(store.events("r1")).hasSize(2);
        store.append("r1", 2, List.of(completed("r1", 3, "task1", 1)), "b", T0.plusSeconds(32));
        assertThat(store.events("r1")).hasSize(3);
    }

    @Test
    void aWriterWhoseLeaseWasTakenCannotAppendWhateverItsClockSays() {
        // "a" is fenced by "b"'s lease, also when "a"'s clock runs past "b"'s expiry (a clock ahead, or "b" gone
        // quiet): "a" must take the lease over with tryLease before it writes, so fencing never depends on clocks
        create("r1", T0);
        Duration ttl = Duration.ofSeconds(30);
        store.tryLease("r1", "a", ttl, T0).orElseThrow();
        store.tryLease("r1", "b", ttl, T0.plusSeconds(31)).orElseThrow(); // expires at T0+61

        assertThatThrownBy(() -> store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), "a", T0.plusSeconds(90)))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("'b'");
        assertThat(store.events("r1")).hasSize(1);

        store.tryLease("r1", "a", ttl, T0.plusSeconds(90)).orElseThrow();
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), "a", T0.plusSeconds(90));
        assertThat(store.events("r1")).hasSize(2);
    }

    @Test
    void aReleasedLeaseIsFreeAndOnlyItsOwnerCanReleaseIt() {
        create("r1", T0);
        Duration ttl = Duration.ofMinutes(5);
        store.tryLease("r1", "a", ttl, T0).orElseThrow();

        store.releaseLease("r1", "b");
        assertThat(store.tryLease("r1", "b", ttl, T0.plusSeconds(1))).isEmpty();

        store.releaseLease("r1", "a");
        assertThat(store.tryLease("r1", "b", ttl, T0.plusSeconds(2))).contains(new Lease("r1", "b", T0.plusSeconds(302)));
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), "b", T0.plusSeconds(3));
    }

    @Test
    void concurrentClaimsOnALeaseHaveOneWinner() throws Exception {
        create("r1", T0);
        AtomicInteger ids = new AtomicInteger();
        List<Boolean> won = runConcurrently(concurrency() * 2, () ->
                store.tryLease("r1", "node-" + ids.incrementAndGet(), Duration.ofSeconds(30), T0).isPresent());

        assertThat(won).filteredOn(w -> w).hasSize(1);
    }

    @Test
    void aRunMayBeLeasedBeforeItIsCreated() {
        assertThat(store.tryLease("future", "a", Duration.ofSeconds(30), T0)).isPresent();
        assertThatThrownBy(() -> store.append("future", 0, List.of(created("future", T0)), "b", T0))
                .isInstanceOf(LeaseLostException.class);
        assertThat(store.run("future")).isEmpty();
        store.append("future", 0, List.of(created("future", T0)), "a", T0);
        assertThat(store.run("future")).isPresent();
    }

    @Test
    void appendsWithoutAnOwnerIgnoreLeases() {
        create("r1", T0);
        store.tryLease("r1", "a", Duration.ofSeconds(30), T0).orElseThrow();
        store.append("r1", 1, List.of(started("r1", 2, "task1", 1)), null, T0);
        assertThat(store.events("r1")).hasSize(2);
    }

    /**
     * For subclasses that add their own tests: a run whose {@code task1} completed, then the run.
     *
     * @param runId run id
     * @param at    time
     * @return the events of such a run
     */
    protected static List<RunEvent> completedRun(String runId, Instant at) {
        return List.of(created(runId, at), started(runId, 2, "task1", 1), completed(runId, 3, "task1", 1),
                new RunCompleted(runId, 4, at));
    }
}
