package dev.baton;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskRedriven;
import dev.baton.persistence.EventRejectedException;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.baton.OrchestratorTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listeners hear each run's events one at a time and in log order, also across the hand-overs that publish events
 * outside a live run: a redrive (its {@code TaskRedriven}, then the resumed run's events) and an event the store
 * refuses for good (the events written before it and the task's failure, then the resumed run's events). Stress
 * tests on 2 threads, with handlers on a pool, so a run's events are made durable on several threads.
 */
class ListenerOrderTest {

    private static final int RUNS = 200;

    /** The failures here are the test's own: no breaker should stop the redrives. */
    private static final CircuitBreakerConfig NEVER_OPENS = CircuitBreakerConfig.builder()
            .slidingWindowSize(CircuitBreakerConfig.MAX_SLIDING_WINDOW_SIZE)
            .minimumCalls(CircuitBreakerConfig.MAX_SLIDING_WINDOW_SIZE).build();

    /**
     * Records each run's seqs in the order they arrive, and any moment two threads were inside the listener for one
     * run at once. Spins a little per event, so a delivery still in progress overlaps the next ones.
     */
    private static final class Recorder implements RunListener {
        final Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        final Set<String> overlapped = ConcurrentHashMap.newKeySet();

        @Override
        public void onEvent(RunEvent e) {
            AtomicInteger in = inside.computeIfAbsent(e.runId(), k -> new AtomicInteger());
            if (in.incrementAndGet() > 1) {
                overlapped.add(e.runId());
            }
            List<Long> seqs = seen.computeIfAbsent(e.runId(), k -> new ArrayList<>());
            synchronized (seqs) {
                seqs.add(e.seq());
            }
            for (int i = 0; i < 5_000; i++) {
                Thread.onSpinWait();
            }
            in.decrementAndGet();
        }

        List<Long> seqs(String runId) {
            List<Long> seqs = seen.getOrDefault(runId, List.of());
            synchronized (seqs) {
                return List.copyOf(seqs);
            }
        }
    }

    /** "bad" fails until it is redriven; three independent tasks finish on other threads meanwhile. */
    private static Plan plan(String service) {
        return Plan.builder()
                .task("bad", service, Map.of())
                .task("ok1", "svc", Map.of("i", 1))
                .task("ok2", "svc", Map.of("i", 2))
                .task("ok3", "svc", Map.of("i", 3))
                .task("after", "svc", Map.of("x", "$bad"))
                .build();
    }

    /**
     * Each of 2 threads submits its runs one by one and redrives each the moment its first outcome is in (the
     * listeners may still be hearing its end), while the other thread does the same with its own runs.
     */
    private static List<RunHandle> submitAndRedrive(Orchestrator o, Plan plan)
            throws Exception {
        ExecutorService drivers = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<RunHandle>>> parts = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int part = p;
                parts.add(drivers.submit(() -> {
                    go.await();
                    List<RunHandle> redriven = new ArrayList<>();
                    for (int i = part; i < RUNS; i += 2) {
                        String runId = "run-" + i;
                        RunResult first = o.submit(plan, RunOptions.builder().runId(runId)
                                .failurePolicy(FailurePolicy.CONTINUE).build()).await(Duration.ofSeconds(30));
                        assertThat(first.status()).as(runId).isEqualTo(RunStatus.FAILED);
                        assertThat(first.error().orElseThrow().taskId()).as(runId).isEqualTo("bad");
                        redriven.add(o.redrive(runId, "bad"));
                    }
                    return redriven;
                }));
            }
            go.countDown();
            List<RunHandle> all = new ArrayList<>();
            for (Future<List<RunHandle>> part : parts) {
                all.addAll(part.get());
            }
            return all;
        } finally {
            drivers.shutdownNow();
        }
    }

    /** Every run's events reached the listener one at a time, exactly as its log holds them. */
    private static void assertHeardInLogOrder(Recorder heard, RunStore store) {
        awaitCondition(() -> {
            for (int i = 0; i < RUNS; i++) {
                String runId = "run-" + i;
                if (heard.seqs(runId).size() < store.events(runId).size()) {
                    return false;
                }
            }
            return true;
        });
        for (int i = 0; i < RUNS; i++) {
            String runId = "run-" + i;
            List<RunEvent> log = store.events(runId);
            assertThat(LogInvariants.check(log)).as(runId).isEmpty();
            assertThat(log).as(runId).anyMatch(e -> e instanceof TaskRedriven);
            assertThat(heard.seqs(runId).toString()).as("seqs heard for " + runId)
                    .isEqualTo(log.stream().map(RunEvent::seq).toList().toString());
        }
        assertThat(heard.overlapped).as("runs whose events were heard on two threads at once").isEmpty();
    }

    @Test
    void aRedrivenRunsEventsAreHeardInLogOrderOneAtATime() throws Exception {
        Recorder heard = new Recorder();
        InMemoryRunStore store = new InMemoryRunStore();
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        try (Orchestrator o = Orchestrator.builder().store(store).executor(handlers).listener(heard)
                .retryPolicy(RetryPolicy.none()).circuitBreaker(NEVER_OPENS)
                .service("flaky", ctx -> {
                    if (failedOnce.add(ctx.executionId())) {
                        throw new IllegalStateException("down until redriven");
                    }
                    return "fine";
                })
                .service("svc", ctx -> ctx.input())
                .build()) {
            List<RunHandle> redriven = submitAndRedrive(o, plan("flaky"));
            for (RunHandle h : redriven) {
                assertThat(h.await(Duration.ofSeconds(30)).status()).as(h.runId()).isEqualTo(RunStatus.COMPLETED);
            }
            assertHeardInLogOrder(heard, store);
        } finally {
            handlers.shutdownNow();
        }
    }

    @Test
    void aRunWhoseEventTheStoreRefusedIsHeardInLogOrderOneAtATime() throws Exception {
        // the first output of "bad" is longer than the store keeps: the engine writes what came before it and the
        // task's failure itself, resumes the run, and the redrive (with a short output) completes it
        int limit = 10_000;
        String big = "y".repeat(limit + 1);
        InMemoryRunStore mem = new InMemoryRunStore();
        AtomicInteger refused = new AtomicInteger();
        RunStore store = new ForwardingRunStore(mem) {
            @Override
            public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
                for (RunEvent e : events) {
                    if (e.toString().length() > limit) {
                        refused.incrementAndGet();
                        throw new EventRejectedException(runId, e.seq(), "longer than this store keeps");
                    }
                }
                super.append(runId, expectedSeq, events, owner, now);
            }
        };
        Recorder heard = new Recorder();
        Set<String> wroteBig = ConcurrentHashMap.newKeySet();
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        try (Orchestrator o = Orchestrator.builder().store(store).executor(handlers).listener(heard)
                .circuitBreaker(NEVER_OPENS)
                .service("writer", ctx -> Map.of("doc", wroteBig.add(ctx.executionId()) ? big : "short"))
                .service("svc", ctx -> ctx.input())
                .build()) {
            List<RunHandle> redriven = submitAndRedrive(o, plan("writer"));
            for (RunHandle h : redriven) {
                assertThat(h.await(Duration.ofSeconds(30)).status()).as(h.runId()).isEqualTo(RunStatus.COMPLETED);
            }
            assertThat(refused).hasValueGreaterThanOrEqualTo(RUNS);
            for (int i = 0; i < RUNS; i++) {
                assertThat(mem.events("run-" + i)).as("run-" + i)
                        .anyMatch(e -> e instanceof dev.baton.event.TaskFailed f
                                && f.error().code().equals("EVENT_REJECTED"));
            }
            assertHeardInLogOrder(heard, mem);
        } finally {
            handlers.shutdownNow();
        }
    }

    @Test
    void aCancelRacingARedriveIsHeardAfterTheRedrive() throws Exception {
        // One thread redrives each run while the other cancels it (through the handle of its first submit) the
        // moment the redrive is in the log; a listener that takes its time over a redrive leaves the cancel every
        // chance to be heard first, which it must not be.
        InMemoryRunStore store = new InMemoryRunStore();
        Recorder heard = new Recorder();
        RunListener slowOverRedrives = e -> {
            if (e instanceof TaskRedriven) {
                for (int i = 0; i < 100_000; i++) {
                    Thread.onSpinWait();
                }
            }
        };
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run)
                .listener(slowOverRedrives).listener(heard)
                .retryPolicy(RetryPolicy.none()).circuitBreaker(NEVER_OPENS)
                .asyncService("flaky", ctx -> failedOnce.add(ctx.executionId())
                        ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("down"))
                        : new java.util.concurrent.CompletableFuture<>()) // redriven, it runs until cancelled
                .service("svc", ctx -> ctx.input())
                .build()) {
            List<RunHandle> first = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                RunHandle h = o.submit(plan("flaky"), RunOptions.builder().runId("run-" + i)
                        .failurePolicy(FailurePolicy.CONTINUE).build());
                assertThat(h.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.FAILED);
                first.add(h);
            }
            ExecutorService drivers = Executors.newFixedThreadPool(2);
            try {
                Future<List<RunHandle>> redrives = drivers.submit(() -> {
                    List<RunHandle> hs = new ArrayList<>();
                    for (int i = 0; i < RUNS; i++) {
                        hs.add(o.redrive("run-" + i, "bad"));
                    }
                    return hs;
                });
                Future<?> cancels = drivers.submit(() -> {
                    for (int i = 0; i < RUNS; i++) {
                        String runId = "run-" + i;
                        awaitCondition(() -> store.events(runId).stream().anyMatch(e -> e instanceof TaskRedriven));
                        first.get(i).cancel();
                    }
                    return null;
                });
                cancels.get();
                for (RunHandle h : redrives.get()) {
                    assertThat(h.await(Duration.ofSeconds(10)).status()).as(h.runId()).isEqualTo(RunStatus.CANCELLED);
                }
            } finally {
                drivers.shutdownNow();
            }
            assertHeardInLogOrder(heard, store);
        }
    }

    /**
     * Holds the delivery of one event on the thread delivering it until released, and records every run's seqs in
     * the order they arrive (the held one when it is let go).
     */
    private static final class Holding implements RunListener {
        final List<Long> seqs = new ArrayList<>();
        final java.util.function.Predicate<RunEvent> hold;
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean releasedInTime = true;

        Holding(java.util.function.Predicate<RunEvent> hold) {
            this.hold = hold;
        }

        @Override
        public void onEvent(RunEvent e) {
            if (held.getCount() > 0 && hold.test(e)) {
                held.countDown();
                try {
                    releasedInTime = release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (seqs) {
                seqs.add(e.seq());
            }
        }

        String heard() {
            synchronized (seqs) {
                return seqs.toString();
            }
        }

        int size() {
            synchronized (seqs) {
                return seqs.size();
            }
        }
    }

    private static String seqs(List<RunEvent> log) {
        return log.stream().map(RunEvent::seq).toList().toString();
    }

    private static boolean completedTask(RunEvent e, String taskId) {
        return e instanceof dev.baton.event.TaskCompleted c && c.taskId().equals(taskId);
    }

    /** An async service whose attempts wait for the test: one future per execution id and attempt. */
    private static final class Pending {
        final Map<String, java.util.concurrent.CompletableFuture<Object>> futures = new ConcurrentHashMap<>();

        java.util.concurrent.CompletableFuture<Object> of(String executionId, int attempt) {
            return futures.computeIfAbsent(executionId + "#" + attempt,
                    k -> new java.util.concurrent.CompletableFuture<>());
        }

        AsyncTaskHandler handler() {
            return ctx -> of(ctx.executionId(), ctx.attempt());
        }
    }

    @Test
    void aRunEndedWhileAnotherThreadStillDeliversItsEventsCompletesItsHandleOnlyOnceTheyAreHeard() throws Exception {
        // "slow" completes on a thread of its own, whose listener call is held; "bad" then fails on the test thread,
        // which writes the run's end. The handle must not complete before the listener has heard that end: a
        // redrive made on it at once would be heard before the events still queued behind the held one.
        InMemoryRunStore store = new InMemoryRunStore();
        Holding heard = new Holding(e -> completedTask(e, "slow"));
        Pending pending = new Pending();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run).listener(heard)
                .retryPolicy(RetryPolicy.none()).circuitBreaker(NEVER_OPENS)
                .asyncService("async", pending.handler())
                .service("svc", ctx -> ctx.input())
                .build()) {
            Plan plan = Plan.builder().task("bad", "async", Map.of()).task("slow", "async", Map.of())
                    .task("after", "svc", Map.of("x", "$bad")).build();
            RunHandle h = o.submit(plan, RunOptions.builder().runId("held").failurePolicy(FailurePolicy.CONTINUE).build());
            other.execute(() -> pending.of("held/slow", 1).complete("s"));
            assertThat(heard.held.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            pending.of("held/bad", 1).completeExceptionally(new IllegalStateException("down until redriven"));

            boolean endedBeforeHeard = h.result().isDone();
            RunHandle redriven = null;
            if (endedBeforeHeard) {
                redriven = o.redrive("held", "bad"); // what a caller waiting on the handle would do at once
            }
            heard.release.countDown();
            assertThat(h.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.FAILED);
            if (redriven == null) {
                redriven = o.redrive("held", "bad");
            }
            pending.of("held/bad", 2).complete("fine");
            assertThat(redriven.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.COMPLETED);
            awaitCondition(() -> heard.size() == store.events("held").size());
            assertThat(heard.heard()).isEqualTo(seqs(store.events("held")));
            assertThat(heard.releasedInTime).isTrue();
            assertThat(endedBeforeHeard).as("the handle completed before its end was heard").isFalse();
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aRefusedEventIsHandedOnOnlyOnceTheEventsBeforeItAreHeard() throws Exception {
        // "slow" completes on a thread of its own, whose listener call is held; "write" then fails on the test
        // thread with a failure the store refuses. The failure the engine writes in its place, and the resumed
        // run's events, must be heard after the held event, not before it.
        InMemoryRunStore mem = new InMemoryRunStore();
        RunStore store = new ForwardingRunStore(mem) {
            @Override
            public void append(String runId, long expectedSeq, List<RunEvent> events, String owner, Instant now) {
                for (RunEvent e : events) {
                    if (e instanceof dev.baton.event.TaskFailed f && !f.error().code().equals("EVENT_REJECTED")) {
                        throw new EventRejectedException(runId, e.seq(), "this store keeps no such failure");
                    }
                }
                super.append(runId, expectedSeq, events, owner, now);
            }
        };
        Holding heard = new Holding(e -> completedTask(e, "slow"));
        Pending pending = new Pending();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Orchestrator o = Orchestrator.builder().store(store).executor(Runnable::run).listener(heard)
                .retryPolicy(RetryPolicy.none()).circuitBreaker(NEVER_OPENS)
                .asyncService("async", pending.handler())
                .service("svc", ctx -> ctx.input())
                .build()) {
            Plan plan = Plan.builder().task("write", "async", Map.of()).task("slow", "async", Map.of())
                    .task("next", "svc", Map.of("x", "$write")).build();
            RunHandle h = o.submit(plan, RunOptions.builder().runId("refused").failurePolicy(FailurePolicy.CONTINUE)
                    .build());
            other.execute(() -> pending.of("refused/slow", 1).complete("s"));
            assertThat(heard.held.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            pending.of("refused/write", 1).completeExceptionally(new IllegalStateException("boom"));
            heard.release.countDown();

            RunResult failed = h.await(Duration.ofSeconds(10));
            assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
            assertThat(failed.error().orElseThrow().code()).isEqualTo("EVENT_REJECTED");
            RunHandle redriven = o.redrive("refused", "write");
            pending.of("refused/write", 2).complete("fine");
            assertThat(redriven.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.COMPLETED);
            awaitCondition(() -> heard.size() == mem.events("refused").size());
            assertThat(heard.heard()).isEqualTo(seqs(mem.events("refused")));
            assertThat(heard.releasedInTime).isTrue();
            assertThat(LogInvariants.check(mem.events("refused"))).isEmpty();
        } finally {
            other.shutdownNow();
        }
    }
}
