package dev.baton;

import dev.baton.event.TaskCompleted;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing an orchestrator that an embedding server shares between threads. */
class LifecycleTest {

    private final InMemoryRunStore store = new InMemoryRunStore();

    /** A transport that answers null and counts its closes; each close then throws, as a broken one might. */
    private static TaskTransport countingCloses(AtomicInteger closes) {
        return new TaskTransport() {
            @Override
            public CompletionStage<Object> dispatch(TaskRequest request) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
                closes.incrementAndGet();
                throw new IllegalStateException("closing twice would show");
            }
        };
    }

    @Test
    void aCloseWhileAnotherIsUnderWayReturnsOnlyOnceThatOneHasFinished() throws Exception {
        // e.g. a shutdown hook and the server's own stop: the caller that returns second goes on to close the store,
        // so the orchestrator must be done with it (its transports closed, its tasks' runs detached). The first close
        // is held in the transport's close until the second is waiting for it (before, the first one waited out a
        // one-second shutdown timeout, and a test thread that was not scheduled for that second failed the test)
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch closingTransport = new CountDownLatch(1);
        CountDownLatch letTransportClose = new CountDownLatch(1);
        AtomicInteger transportCloses = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean transportClosed = new java.util.concurrent.atomic.AtomicBoolean();
        TaskTransport transport = new TaskTransport() {
            @Override
            public CompletionStage<Object> dispatch(TaskRequest request) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
                transportCloses.incrementAndGet();
                closingTransport.countDown();
                try {
                    letTransportClose.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                transportClosed.set(true);
                throw new IllegalStateException("closing twice would show"); // a failing close must not stop close()
            }
        };
        Orchestrator o = Orchestrator.builder().store(store).shutdownTimeout(Duration.ZERO)
                .asyncService("hang", ctx -> {
                    in.countDown();
                    return new CompletableFuture<>();
                })
                .remoteService(ServiceDescriptor.of("remote"), transport, ServiceOptions.defaults())
                .build();
        RunHandle h = o.submit(Plan.builder().task("t", "hang", Map.of()).build(),
                RunOptions.builder().runId("shared").build());
        assertThat(in.await(10, TimeUnit.SECONDS)).isTrue();

        Thread first = new Thread(o::close, "first-close");
        first.start();
        assertThat(closingTransport.await(10, TimeUnit.SECONDS)).as("the first close is under way").isTrue();
        java.util.concurrent.atomic.AtomicBoolean closedWhenSecondReturned =
                new java.util.concurrent.atomic.AtomicBoolean();
        Thread second = new Thread(() -> {
            o.close();
            closedWhenSecondReturned.set(transportClosed.get());
        }, "second-close");
        second.start();
        awaitParkedIn(second, "awaitClosed");
        assertThat(second.isAlive()).as("the second close waits for the first").isTrue();

        letTransportClose.countDown();
        second.join(10_000);
        first.join(10_000);
        assertThat(second.isAlive()).isFalse();
        assertThat(closedWhenSecondReturned).as("closed when the second close returns").isTrue();
        assertThat(h.result()).isCompletedExceptionally();
        assertThat(transportCloses).as("closed once").hasValue(1);
        assertThat(store.run("shared").orElseThrow().state().isTerminal()).as("still recoverable").isFalse();
    }

    @Test
    void aRunsCreationIsDeliveredOnTheSubmittingThreadBeforeSubmitReturns() {
        // as RunListener says: a listener runs on the run's own threads, so a slow one slows the run (submit included)
        java.util.List<Thread> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Orchestrator o = Orchestrator.builder().store(store).service("s", ctx -> 1).listener(e -> {
            if (e instanceof dev.baton.event.RunCreated) {
                heard.add(Thread.currentThread());
            }
        }).build()) {
            RunHandle h = o.submit(Plan.builder().task("a", "s", Map.of()).build());
            assertThat(heard).containsExactly(Thread.currentThread());
            assertThat(h.await(Duration.ofSeconds(10)).status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void closingFromSeveralThreadsAtOnceClosesOnceAndEveryCallReturns() throws Exception {
        AtomicInteger transportCloses = new AtomicInteger();
        TaskTransport transport = countingCloses(transportCloses); // a failing close() must not stop close()
        Orchestrator o = Orchestrator.builder().store(store)
                .remoteService(ServiceDescriptor.of("remote"), transport, ServiceOptions.defaults()).build();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] closers = new Thread[8];
        for (int i = 0; i < closers.length; i++) {
            closers[i] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                o.close();
            });
            closers[i].start();
        }
        go.countDown();
        for (Thread t : closers) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(transportCloses).hasValue(1);
    }

    @Test
    void aHandlerThatClosesItsOrchestratorDoesNotWaitForItselfAndItsRunStaysRecoverable() throws Exception {
        Orchestrator[] o = new Orchestrator[1];
        CountDownLatch closed = new CountDownLatch(1);
        List<String> executions = new CopyOnWriteArrayList<>();
        // before: close() waited for every running task, this one among them, until the whole shutdown timeout
        o[0] = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMinutes(10)).service("s", ctx -> {
            executions.add(ctx.executionId());
            o[0].close();
            closed.countDown();
            return 1;
        }).build();
        RunHandle h = o[0].submit(Plan.builder().task("a", "s", Map.of()).build(),
                RunOptions.builder().runId("self").build());

        assertThat(closed.await(10, TimeUnit.SECONDS)).as("close() returned inside the handler").isTrue();
        assertThat(h.result()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .withCauseInstanceOf(OrchestratorClosedException.class);
        assertThat(store.run("self").orElseThrow().state().isTerminal()).as("still recoverable").isFalse();

        try (Orchestrator next = Orchestrator.builder().store(store).service("s", ctx -> {
            executions.add(ctx.executionId());
            return 2;
        }).build()) {
            RunResult r = next.submit(Plan.builder().task("a", "s", Map.of()).build(),
                    RunOptions.builder().runId("self").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("a")).isEqualTo(2);
        }
        assertThat(executions).containsExactly("self/a", "self/a");
    }

    @Test
    void anAsyncHandlerThatClosesItsOrchestratorInItsSynchronousPartDoesNotWaitForItself() throws Exception {
        Orchestrator[] o = new Orchestrator[1];
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        // before: its own task counted as running, so close() waited out the whole shutdown timeout
        o[0] = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMinutes(10)).asyncService("s", ctx -> {
            calls.incrementAndGet();
            o[0].close();
            closed.countDown();
            return CompletableFuture.completedFuture(1);
        }).build();
        // the synchronous part runs on the thread that starts the task, here the submitting one: submit elsewhere,
        // so a close() that waits for itself fails this test instead of hanging it
        AtomicReference<Boolean> submitterInterrupted = new AtomicReference<>();
        CompletableFuture<RunHandle> submitted = CompletableFuture.supplyAsync(() -> {
            RunHandle handle = o[0].submit(Plan.builder().task("a", "s", Map.of()).build(),
                    RunOptions.builder().runId("async-self").build());
            submitterInterrupted.set(Thread.currentThread().isInterrupted());
            return handle;
        });

        assertThat(closed.await(10, TimeUnit.SECONDS)).as("close() returned inside the handler").isTrue();
        RunHandle h = submitted.get(10, TimeUnit.SECONDS);
        assertThat(h.result()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .withCauseInstanceOf(OrchestratorClosedException.class);
        assertThat(submitterInterrupted.get()).as("no interrupt aimed at the thread that ran the synchronous part")
                .isFalse();
        assertThat(store.run("async-self").orElseThrow().state().isTerminal()).as("still recoverable").isFalse();

        try (Orchestrator next = Orchestrator.builder().store(store).service("s", ctx -> 2).build()) {
            RunResult r = next.submit(Plan.builder().task("a", "s", Map.of()).build(),
                    RunOptions.builder().runId("async-self").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("a")).isEqualTo(2);
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void aHandlerThatClosesItsOrchestratorStillWaitsForTheOtherRunningTasks() throws Exception {
        Orchestrator[] o = new Orchestrator[1];
        CountDownLatch otherStarted = new CountDownLatch(1);
        CountDownLatch releaseOther = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        o[0] = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMinutes(10))
                .service("other", ctx -> {
                    otherStarted.countDown();
                    releaseOther.await();
                    return "done";
                })
                .service("closer", ctx -> {
                    otherStarted.await();
                    closing.countDown();
                    o[0].close();
                    return 1;
                }).build();
        RunHandle other = o[0].submit(Plan.builder().task("a", "other", Map.of()).build());
        RunHandle closer = o[0].submit(Plan.builder().task("a", "closer", Map.of()).build());

        assertThat(closing.await(10, TimeUnit.SECONDS)).isTrue();
        releaseOther.countDown();

        assertThat(other.await(Duration.ofSeconds(10)).status()).as("the other task was let finish")
                .isEqualTo(RunStatus.COMPLETED);
        assertThat(closer.result()).failsWithin(Duration.ofSeconds(10));
    }

    @Test
    void closeWaitsForTheOutcomeOfAHandlerThatHasJustReturnedNotOnlyForItsSlot() throws Exception {
        // A handler's slot is given back before its output is converted and recorded. The mapper holds that
        // conversion until close() is waiting: a close that waited for the slot alone would detach the run with the
        // output unwritten, and recovery would call the handler a second time.
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<Thread> closerThread = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Orchestrator o = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMinutes(10))
                .valueMapper(v -> {
                    returned.countDown();
                    awaitWaitingInClose(closerThread);
                    return Map.of("mapped", true);
                })
                .service("custom", ctx -> {
                    calls.incrementAndGet();
                    return new Object(); // not a JSON value: it goes through the mapper
                }).build();
        RunHandle h = o.submit(Plan.builder().task("a", "custom", Map.of()).build(),
                RunOptions.builder().runId("just-returned").build());
        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closing = new Thread(o::close, "closer");
        closerThread.set(closing);
        closing.start();
        closing.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(closing.isAlive()).as("close() returned").isFalse();
        assertThat(h.await(Duration.ofSeconds(10)).output("a")).isEqualTo(Map.of("mapped", true));
        assertThat(store.events("just-returned")).filteredOn(e -> e instanceof TaskCompleted).hasSize(1);
        assertThat(store.unfinishedRuns()).doesNotContain("just-returned");
        assertThat(calls).hasValue(1);
    }

    @Test
    void aListenerThatClosesTheOrchestratorDoesNotWaitForTheOutcomesOnlyItsOwnThreadCanRecord() throws Exception {
        // A listener runs on the thread that made its event durable: here the one recording the run's completions.
        // The sibling that finishes while that listener is in close() leaves its completion to that same thread, so
        // close() waited for an outcome that could not come before it returned: the whole shutdown timeout
        CountDownLatch submitted = new CountDownLatch(1);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        AtomicReference<Thread> closerThread = new AtomicReference<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Orchestrator[] o = new Orchestrator[1];
        o[0] = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMinutes(10))
                .service("slow", ctx -> {
                    releaseSlow.await();
                    return "slow";
                })
                .service("fast", ctx -> {
                    submitted.await(); // submit() has told the listeners of the starts: this thread tells the next
                    return "fast";
                })
                .listener(e -> {
                    if (e instanceof TaskCompleted c && c.taskId().equals("b")) {
                        closerThread.set(Thread.currentThread());
                        o[0].close();
                        closed.complete(null);
                    }
                }).build();
        Plan plan = Plan.builder().task("a", "slow", Map.of()).task("b", "fast", Map.of()).build();
        RunHandle h = o[0].submit(plan, RunOptions.builder().runId("listener-closes").build());
        submitted.countDown();

        awaitWaitingInClose(closerThread); // close() waits for the slow task, which then finishes
        releaseSlow.countDown();

        assertThat(closed).as("close() returned inside the listener").succeedsWithin(Duration.ofSeconds(30));
        assertThat(h.result()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .withCauseInstanceOf(OrchestratorClosedException.class);
        assertThat(store.run("listener-closes").orElseThrow().state().isTerminal()).as("still recoverable")
                .isFalse();
        try (Orchestrator next = Orchestrator.builder().store(store).service("slow", ctx -> "slow again")
                .service("fast", ctx -> "fast again").build()) {
            RunResult r = next.submit(plan, RunOptions.builder().runId("listener-closes").build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("b")).as("the completion written before close() is kept").isEqualTo("fast");
        }
    }

    @Test
    void aRunCreatedWhileCloseRunsHasItsHandleFailedNotLeftWaitingForEver() throws Exception {
        // submit() found the orchestrator open and wrote the run's creation; close() ran meanwhile, found no run to
        // detach and returned, and the run was added afterwards: nothing would ever complete its handle
        CountDownLatch created = new CountDownLatch(1);
        CountDownLatch closeReturned = new CountDownLatch(1);
        dev.baton.persistence.tck.ForwardingRunStore creationHeld = new dev.baton.persistence.tck.ForwardingRunStore(
                store) {
            @Override
            public void append(String runId, long expectedSeq, List<dev.baton.event.RunEvent> events, String owner,
                               java.time.Instant now) {
                super.append(runId, expectedSeq, events, owner, now);
                if (events.get(0) instanceof dev.baton.event.RunCreated) {
                    created.countDown();
                    try {
                        closeReturned.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        AtomicInteger calls = new AtomicInteger();
        Orchestrator o = Orchestrator.builder().store(creationHeld).service("s", ctx -> calls.incrementAndGet())
                .build();
        Plan plan = Plan.builder().task("a", "s", Map.of()).build();
        CompletableFuture<RunHandle> submitted = CompletableFuture.supplyAsync(() -> o.submit(plan,
                RunOptions.builder().runId("created-at-close").build()));
        assertThat(created.await(10, TimeUnit.SECONDS)).isTrue();
        o.close(); // no run is active yet: it returns at once
        closeReturned.countDown();

        RunHandle h = submitted.get(10, TimeUnit.SECONDS);
        assertThat(h.result()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .withCauseInstanceOf(OrchestratorClosedException.class);
        assertThat(calls).hasValue(0);
        assertThat(store.run("created-at-close").orElseThrow().state().isTerminal()).as("still recoverable")
                .isFalse();
        try (Orchestrator next = Orchestrator.builder().store(store).service("s", ctx -> 2).build()) {
            RunResult r = next.submit(plan, RunOptions.builder().runId("created-at-close").build())
                    .await(Duration.ofSeconds(10));
            assertThat(r.output("a")).isEqualTo(2);
        }
    }

    @Test
    void closeDoesNotDeadlockWithARunDetachedUnderItsLockWhileItLooksAtTheOutcomes() throws Exception {
        // close() looked at the runs' unrecorded outcomes holding the monitor it waits on, taking each run's lock in
        // turn; a run whose log another writer took is detached under its lock, and cancelling its running stage
        // gives that attempt's slots back and then signals the same monitor: each held what the other waited for,
        // for ever. Admission's lock, held here by reflection, lines the two threads up where their paths cross
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        CountDownLatch holdAdmission = new CountDownLatch(1);
        CountDownLatch admissionHeld = new CountDownLatch(1);
        CountDownLatch letAdmissionGo = new CountDownLatch(1);
        AtomicReference<Thread> bThread = new AtomicReference<>();
        dev.baton.persistence.tck.ForwardingRunStore takenOver = new dev.baton.persistence.tck.ForwardingRunStore(
                store) {
            @Override
            public void append(String runId, long expectedSeq, List<dev.baton.event.RunEvent> events, String owner,
                               java.time.Instant now) {
                if (events.stream().anyMatch(e -> e instanceof TaskCompleted c && c.taskId().equals("b"))) {
                    holdAdmission.countDown();
                    awaitQuietly(admissionHeld);
                    throw new dev.baton.persistence.SequenceConflictException(runId, expectedSeq, expectedSeq + 1);
                }
                super.append(runId, expectedSeq, events, owner, now);
            }
        };
        Orchestrator o = Orchestrator.builder().store(takenOver).shutdownTimeout(Duration.ofSeconds(2))
                .asyncService("hang", ctx -> new CompletableFuture<>())
                .service("b", ctx -> {
                    bThread.set(Thread.currentThread());
                    bStarted.countDown();
                    releaseB.await();
                    return 1;
                }).build();
        java.util.concurrent.locks.ReentrantLock admission = admissionLock(o);
        Thread holder = new Thread(() -> {
            awaitQuietly(holdAdmission);
            admission.lock();
            try {
                admissionHeld.countDown();
                awaitQuietly(letAdmissionGo);
            } finally {
                admission.unlock();
            }
        }, "admission-holder");
        holder.setDaemon(true);
        holder.start();
        RunHandle h = o.submit(Plan.builder().task("a", "hang", Map.of()).task("b", "b", Map.of()).build(),
                RunOptions.builder().runId("taken-over").build());
        assertThat(bStarted.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closing = new Thread(o::close, "closer");
        closing.setDaemon(true); // a deadlocked close must not keep the test JVM alive
        AtomicReference<Thread> closerThread = new AtomicReference<>(closing);
        closing.start();
        awaitWaitingInClose(closerThread);
        releaseB.countDown(); // b's completion finds its log taken: the run is detached, its stage cancelled
        awaitParkedIn(bThread.get(), "Admission", "release");
        awaitParkedIn(closing, "Admission", "running"); // close()'s wait ran out: it looks again
        letAdmissionGo.countDown();

        closing.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(closing.isAlive()).as("close() returned").isFalse();
        assertThat(h.result()).failsWithin(Duration.ofSeconds(10));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The engine's admission lock, reached by reflection: the one point where the test can line threads up. */
    private static java.util.concurrent.locks.ReentrantLock admissionLock(Orchestrator o) throws Exception {
        Object engine = field(o, "engine");
        return (java.util.concurrent.locks.ReentrantLock) field(field(engine, "admission"), "lock");
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }

    /** Returns once {@code t} is parked in {@code method} of a class named {@code type}, or within a bound. */
    private static void awaitParkedIn(Thread t, String type, String method) {
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < bound) {
            Thread.State state = t.getState();
            if (state == Thread.State.TERMINATED || state == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> f.getClassName().endsWith("." + type) && f.getMethodName().equals(method))) {
                return;
            }
            Thread.yield();
        }
    }

    /** Returns once {@code t} waits with {@code method} on its stack, or has ended; either way within a bound. */
    private static void awaitParkedIn(Thread t, String method) {
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < bound) {
            Thread.State state = t.getState();
            if (state == Thread.State.TERMINATED || (state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING) && Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals(method))) {
                return;
            }
            Thread.yield();
        }
    }

    /**
     * Returns once {@code closer} is parked in close()'s wait for running work, or has returned from close() without
     * waiting; either way within the test's own bound.
     */
    private static void awaitWaitingInClose(AtomicReference<Thread> closer) {
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < bound) {
            Thread t = closer.get();
            if (t != null) {
                Thread.State state = t.getState();
                if (state == Thread.State.TERMINATED) {
                    return;
                }
                if (state == Thread.State.TIMED_WAITING && Arrays.stream(t.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("closeOnce"))) {
                    return;
                }
            }
            Thread.yield();
        }
    }
}
