package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.baton.OrchestratorTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancelled run's tasks that wait for a slot (of their service's capacity, of their run's maxParallel, of the
 * global maxParallel) leave those queues at once: they are never granted a slot, never show in the services' load,
 * and the next waiter gets the slot the running task frees. A task whose handler is running keeps its slots until
 * the handler returns.
 */
class CancelledRunSlotsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An async service whose attempts wait for the test; records which run's task started, in order. */
    private static final class Held {
        final List<String> started = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<Object>> running = new ConcurrentHashMap<>();

        AsyncTaskHandler handler() {
            return ctx -> {
                started.add(ctx.executionId());
                return running.computeIfAbsent(ctx.executionId(), k -> new CompletableFuture<>());
            };
        }

        void finish(String executionId) {
            running.get(executionId).complete("done");
        }
    }

    private static ServiceOptions capacity(int n) {
        return ServiceOptions.builder().capacity(n).build();
    }

    private static Plan one(String service) {
        return Plan.builder().task("t", service, Map.of()).build();
    }

    private static RunOptions id(String runId) {
        return RunOptions.builder().runId(runId).build();
    }

    /** {inFlight, queued} of a service. */
    private static List<Integer> load(Orchestrator o, String service) {
        OrchestratorStatus.ServiceStatus s = o.status().services().get(service);
        return List.of(s.inFlight(), s.queued());
    }

    @Test
    void aCancelledRunsTaskWaitingForItsServiceLeavesTheQueueAndTheNextRunGetsTheSlot() {
        Held pool = new Held();
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO)
                .asyncService(ServiceDescriptor.of("pool"), pool.handler(), capacity(1)).build()) {
            RunHandle a = o.submit(one("pool"), id("A"));
            RunHandle b = o.submit(one("pool"), id("B"));
            RunHandle c = o.submit(one("pool"), id("C"));
            assertThat(pool.started).containsExactly("A/t");
            assertThat(load(o, "pool")).containsExactly(1, 2);

            assertThat(b.cancel()).isTrue();
            assertThat(b.await(WAIT).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(load(o, "pool")).as("A running, C waiting; B gone").containsExactly(1, 1);

            pool.finish("A/t");
            assertThat(a.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(pool.started).containsExactly("A/t", "C/t");
            assertThat(load(o, "pool")).containsExactly(1, 0);

            pool.finish("C/t");
            assertThat(c.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(load(o, "pool")).containsExactly(0, 0);
            assertThat(o.status().runningTasks()).isZero();
            assertThat(pool.started).doesNotContain("B/t");
        }
    }

    @Test
    void aCancelledRunsTasksWaitingForItsOwnLimitAndForItsServiceLeaveBothQueues() {
        // B may run one task at a time: b1 holds B's slot and waits for the service, b2 waits for B's slot
        Held pool = new Held();
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO)
                .asyncService(ServiceDescriptor.of("pool"), pool.handler(), capacity(1)).build()) {
            RunHandle a = o.submit(one("pool"), id("A"));
            Plan two = Plan.builder().task("b1", "pool", Map.of()).task("b2", "pool", Map.of()).build();
            RunHandle b = o.submit(two, RunOptions.builder().runId("B").maxParallel(1).build());
            RunHandle c = o.submit(one("pool"), id("C"));
            assertThat(load(o, "pool")).as("A running; b1 and C waiting").containsExactly(1, 2);

            assertThat(b.cancel()).isTrue();
            assertThat(b.await(WAIT).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(load(o, "pool")).containsExactly(1, 1);

            pool.finish("A/t");
            assertThat(pool.started).containsExactly("A/t", "C/t");
            assertThat(load(o, "pool")).containsExactly(1, 0);
            pool.finish("C/t");
            assertThat(a.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(c.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(load(o, "pool")).containsExactly(0, 0);
            assertThat(o.status().runningTasks()).isZero();
        }
    }

    @Test
    void aCancelledRunsTaskWaitingForAGlobalSlotGivesBackItsServiceSlotAtOnce() {
        // One task at a time in the orchestrator. A task that has its service's slot and waits for the global one
        // holds that service slot: B's, cancelled, must give it back at once, not when the global queue serves it,
        // and not to B's other task, which waits for that slot.
        Held pool = new Held();
        Held other = new Held();
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO)
                .maxParallel(1)
                .asyncService(ServiceDescriptor.of("pool"), pool.handler(), capacity(1))
                .asyncService(ServiceDescriptor.of("other"), other.handler(), capacity(1)).build()) {
            RunHandle a = o.submit(one("pool"), id("A"));
            RunHandle b = o.submit(Plan.builder().task("b1", "other", Map.of()).task("b2", "other", Map.of()).build(),
                    id("B"));
            RunHandle c = o.submit(one("pool"), id("C"));
            assertThat(o.status().runningTasks()).isEqualTo(1);
            assertThat(load(o, "pool")).as("A running, C waiting for pool").containsExactly(1, 1);
            assertThat(load(o, "other")).as("b1 holding the slot, b2 waiting for it").containsExactly(1, 1);

            assertThat(b.cancel()).isTrue();
            assertThat(b.await(WAIT).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(load(o, "other")).as("B's task neither running nor waiting").containsExactly(0, 0);

            pool.finish("A/t");
            assertThat(a.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(pool.started).containsExactly("A/t", "C/t");
            assertThat(o.status().runningTasks()).isEqualTo(1);
            assertThat(load(o, "other")).containsExactly(0, 0);

            pool.finish("C/t");
            assertThat(c.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            RunHandle d = o.submit(one("other"), id("D")); // the other service's slot is free
            assertThat(other.started).containsExactly("D/t");
            other.finish("D/t");
            assertThat(d.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(load(o, "pool")).containsExactly(0, 0);
            assertThat(load(o, "other")).containsExactly(0, 0);
            assertThat(o.status().runningTasks()).isZero();
            assertThat(other.started).containsExactly("D/t");
        }
    }

    @Test
    void theNextTaskOfTheServiceTakesOverTheSlotOfACancelledTaskWaitingForAGlobalSlot() {
        // B holds the other service's one slot while it waits for the global one, E waits for that service slot
        Held pool = new Held();
        Held other = new Held();
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(Runnable::run)
                .shutdownTimeout(Duration.ZERO).maxParallel(1)
                .asyncService(ServiceDescriptor.of("pool"), pool.handler(), capacity(1))
                .asyncService(ServiceDescriptor.of("other"), other.handler(), capacity(1)).build()) {
            RunHandle a = o.submit(one("pool"), id("A"));
            RunHandle b = o.submit(one("other"), id("B"));
            RunHandle e = o.submit(one("other"), id("E"));
            assertThat(load(o, "other")).as("B's ticket holds the slot, E waits for it").containsExactly(1, 1);

            assertThat(b.cancel()).isTrue();
            // E holds the slot now and waits for the global one in B's place (a task waiting for a global slot
            // is shown in flight on the service whose slot it holds)
            assertThat(load(o, "other")).containsExactly(1, 0);

            pool.finish("A/t");
            assertThat(a.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(other.started).containsExactly("E/t");
            other.finish("E/t");
            assertThat(e.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(load(o, "other")).containsExactly(0, 0);
            assertThat(o.status().runningTasks()).isZero();
        }
    }

    @Test
    void aCancelledRunsRunningHandlerKeepsItsSlotUntilItReturns() throws Exception {
        // The cancel interrupts the handler, but a handler that carries on still occupies its service: the slot is
        // given back when it returns, and only then does the next run's task start. B's second task, waiting for
        // B's own slot, never starts.
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        List<String> started = new CopyOnWriteArrayList<>();
        ExecutorService handlers = Executors.newFixedThreadPool(2);
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(handlers)
                .service(ServiceDescriptor.of("pool"), ctx -> {
                    started.add(ctx.executionId());
                    if (ctx.runId().equals("B")) {
                        while (true) { // carries on through the interrupt until let go
                            try {
                                letGo.await();
                                break;
                            } catch (InterruptedException e) {
                                interrupted.set(true);
                            }
                        }
                    }
                    return "done";
                }, capacity(1)).build()) {
            Plan two = Plan.builder().task("b1", "pool", Map.of()).task("b2", "pool", Map.of()).build();
            RunHandle b = o.submit(two, RunOptions.builder().runId("B").maxParallel(1).build());
            awaitCondition(() -> started.contains("B/b1"));
            RunHandle c = o.submit(one("pool"), id("C"));
            assertThat(load(o, "pool")).containsExactly(1, 1);

            assertThat(b.cancel()).isTrue();
            assertThat(b.await(WAIT).status()).isEqualTo(RunStatus.CANCELLED);
            awaitCondition(interrupted::get);
            // the run is over, its handler is not: it still holds the service's one slot, and C waits
            assertThat(load(o, "pool")).containsExactly(1, 1);
            assertThat(o.status().runningTasks()).isEqualTo(1);
            assertThat(c.result()).isNotDone();
            assertThat(started).containsExactly("B/b1");

            letGo.countDown();
            assertThat(c.await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(started).containsExactly("B/b1", "C/t");
            awaitCondition(() -> o.status().runningTasks() == 0);
            assertThat(load(o, "pool")).containsExactly(0, 0);
            assertThat(o.inspect("B").orElseThrow().task("b2").orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        } finally {
            handlers.shutdownNow();
        }
    }

    @Test
    void cancelsRacingReleasesOnTwoThreadsLoseNoSlotAndHandNoneOutTwice() throws Exception {
        // Every level has a limit just under the load, so tasks wait in all three queues while 2 threads submit
        // runs and cancel every other one as it goes; handlers finish on a pool meanwhile.
        int runs = 300;
        int capacity = 2;
        int global = 3;
        AtomicInteger poolNow = new AtomicInteger();
        AtomicInteger poolMax = new AtomicInteger();
        AtomicInteger allNow = new AtomicInteger();
        AtomicInteger allMax = new AtomicInteger();
        TaskHandler pooled = ctx -> {
            poolMax.accumulateAndGet(poolNow.incrementAndGet(), Math::max);
            allMax.accumulateAndGet(allNow.incrementAndGet(), Math::max);
            try {
                for (int i = 0; i < 2_000; i++) {
                    Thread.onSpinWait();
                }
                return 1;
            } finally {
                allNow.decrementAndGet();
                poolNow.decrementAndGet();
            }
        };
        TaskHandler free = ctx -> {
            allMax.accumulateAndGet(allNow.incrementAndGet(), Math::max);
            try {
                for (int i = 0; i < 2_000; i++) {
                    Thread.onSpinWait();
                }
                return 1;
            } finally {
                allNow.decrementAndGet();
            }
        };
        Plan plan = Plan.builder().task("p1", "pool", Map.of()).task("p2", "pool", Map.of())
                .task("f1", "free", Map.of()).task("f2", "free", Map.of()).build();
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        ExecutorService drivers = Executors.newFixedThreadPool(2);
        try (Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore()).executor(handlers)
                .maxParallel(global)
                .service(ServiceDescriptor.of("pool"), pooled, capacity(capacity))
                .service("free", free).build()) {
            List<Future<List<RunHandle>>> parts = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int part = p;
                parts.add(drivers.submit(() -> {
                    List<RunHandle> hs = new ArrayList<>();
                    for (int i = part; i < runs; i += 2) {
                        RunHandle h = o.submit(plan, RunOptions.builder().maxParallel(1 + i % 3).build());
                        hs.add(h);
                        if (i % 4 < 2) {
                            h.cancel();
                        }
                    }
                    return hs;
                }));
            }
            int cancelled = 0;
            for (Future<List<RunHandle>> part : parts) {
                for (RunHandle h : part.get()) {
                    RunStatus s = h.await(Duration.ofSeconds(60)).status();
                    assertThat(s).isIn(RunStatus.COMPLETED, RunStatus.CANCELLED);
                    cancelled += s == RunStatus.CANCELLED ? 1 : 0;
                }
            }
            assertThat(cancelled).isPositive();
            awaitCondition(() -> o.status().runningTasks() == 0);
            assertThat(load(o, "pool")).containsExactly(0, 0);
            assertThat(load(o, "free")).containsExactly(0, 0);
            assertThat(poolMax.get()).isBetween(1, capacity);
            assertThat(allMax.get()).isBetween(1, global);
            // every slot came back: a run as wide as the limits still gets all of them and completes
            assertThat(o.submit(plan).await(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(o.status().runningTasks()).isZero();
        } finally {
            drivers.shutdownNow();
            handlers.shutdownNow();
        }
    }
}
