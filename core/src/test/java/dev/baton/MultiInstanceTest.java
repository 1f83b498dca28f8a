package dev.baton;

import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Several instances on one store: leases, renewal, takeover after expiry, and watching a run owned elsewhere. */
class MultiInstanceTest {

    private final ManualTime time = new ManualTime();
    private final InMemoryRunStore store = new InMemoryRunStore();

    @Test
    void aDeadInstancesRunIsTakenOverOnlyAfterItsLeaseExpires() {
        AtomicInteger bCalls = new AtomicInteger();
        Plan plan = Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of("x", "$a")).build();
        Orchestrator first = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .instanceId("node-1").leaseDuration(Duration.ofSeconds(3)).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> new CompletableFuture<>()) // hangs: the instance "dies" mid-task
                .build();
        RunHandle watchedFromFirst = first.submit(plan, RunOptions.builder().runId("shared").build());
        assertThat(store.run("shared")).isPresent();
        first.close(); // stops renewing; its lease stays until it expires

        try (Orchestrator second = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .instanceId("node-2").leaseDuration(Duration.ofSeconds(3))
                .service("svc", ctx -> {
                    bCalls.incrementAndGet();
                    return ctx.taskId();
                }).build()) {
            // the lease of node-1 is still valid: node-2 must not touch the run, and a submit only watches it
            RunHandle watched = second.submit(plan, RunOptions.builder().runId("shared").build());
            assertThat(bCalls).hasValue(0);
            assertThat(watched.result()).isNotDone();

            time.advance(Duration.ofSeconds(4)); // lease expired; node-2's upkeep takes the run over
            assertThat(bCalls).hasValue(2);
            assertThat(second.inspect("shared").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            time.advance(Duration.ofSeconds(1)); // the watcher polls the store
            assertThat(watched.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(second.inspect("shared").orElseThrow().task("a").orElseThrow().executionId())
                    .isEqualTo("shared/a");
        }
        assertThat(watchedFromFirst.result()).isCompletedExceptionally();
        assertThat(LogInvariants.check(store.events("shared"))).isEmpty();
    }

    @Test
    void aWatcherWhoseStoreFailsForAWhileStillSeesTheRunEnd() {
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        ForwardingRunStore flaky = new ForwardingRunStore(new InMemoryRunStore()) {
            @Override
            public java.util.List<dev.baton.event.RunEvent> events(String runId) {
                if (failing.get()) {
                    throw new dev.baton.persistence.StoreException("connection refused");
                }
                return super.events(runId);
            }
        };
        CompletableFuture<Object> slow = new CompletableFuture<>();
        Plan plan = Plan.builder().task("a", "svc", Map.of()).build();
        try (Orchestrator owner = Orchestrator.builder().store(flaky.delegate()).time(time).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(30)).asyncService("svc", ctx -> slow).build();
             Orchestrator watcher = Orchestrator.builder().store(flaky).time(time).executor(Runnable::run)
                     .instanceId("node-b").leaseDuration(Duration.ofSeconds(30)).service("svc", ctx -> "x").build()) {
            owner.submit(plan, RunOptions.builder().runId("w").build());
            RunHandle watched = watcher.submit(plan, RunOptions.builder().runId("w").build()); // owned by node-a
            failing.set(true);
            time.advance(Duration.ofSeconds(1)); // the watcher's polls fail
            assertThat(watched.result()).isNotDone();
            failing.set(false);
            slow.complete("done");
            time.advance(Duration.ofSeconds(1)); // before the fix, the first failed poll was the last
            assertThat(watched.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(LogInvariants.check(flaky.delegate().events("w"))).isEmpty();
    }

    @Test
    void leasesAreRenewedWhileTheOwnerWorks() {
        CompletableFuture<Object> slow = new CompletableFuture<>();
        try (Orchestrator a = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(3)).asyncService("svc", ctx -> slow).build();
             Orchestrator b = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                     .instanceId("node-b").leaseDuration(Duration.ofSeconds(3))
                     .service("svc", ctx -> "stolen").build()) {
            RunHandle h = a.submit(Plan.builder().task("t", "svc", Map.of()).build(),
                    RunOptions.builder().runId("busy").build());
            time.advance(Duration.ofSeconds(30)); // a renews every second; b never gets the run
            assertThat(store.events("busy").stream().filter(e -> e instanceof dev.baton.event.TaskStarted)).hasSize(1);
            slow.complete("mine");
            assertThat(h.result().getNow(null).output("t")).isEqualTo("mine");
        }
    }

    @Test
    void anInstanceWhoseLeaseIsTakenOverWhileAliveFollowsTheRunToItsEnd() {
        // node-a's clock lags (a busy JVM renewing late); by node-b's clock, node-a's lease has long expired
        ManualTime lagging = new ManualTime(time.instant());
        ManualTime ahead = new ManualTime(time.instant().plusSeconds(10));
        Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
        CompletableFuture<Object> slow = new CompletableFuture<>();
        try (Orchestrator a = Orchestrator.builder().store(store).time(lagging).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(3)).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> slow).build();
             Orchestrator b = Orchestrator.builder().store(store).time(ahead).executor(Runnable::run)
                     .instanceId("node-b").leaseDuration(Duration.ofSeconds(3))
                     .service("svc", ctx -> "done").build()) {
            RunHandle h = a.submit(plan, RunOptions.builder().runId("late").build());
            ahead.advance(Duration.ofSeconds(4)); // node-b's upkeep takes the expired run over and finishes it
            assertThat(b.inspect("late").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);

            slow.complete("mine"); // node-a's task ends late: writing it conflicts with node-b's history
            lagging.advance(Duration.ofSeconds(1)); // node-a's handle reads the outcome from the store
            // the run was not lost, it ended elsewhere: the handle reports that instead of failing
            assertThat(h.result().getNow(null)).isNotNull();
            assertThat(h.result().getNow(null).output("t")).isEqualTo("done");
        }
        assertThat(LogInvariants.check(store.events("late"))).isEmpty();
    }

    @Test
    void aSubmitWatchingARunIdWhoseCreatorDiedBeforeCreatingItCreatesItOnceTheLeaseExpires() {
        // node-1 claimed the run id's lease and died before its RunCreated was written (or the write failed and the
        // caller retried on another instance): no run exists, and nobody will ever create it but the watcher
        assertThat(store.tryLease("orphan", "node-1", Duration.ofSeconds(3), time.instant())).isPresent();
        Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
        try (Orchestrator second = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .instanceId("node-2").leaseDuration(Duration.ofSeconds(3)).service("svc", ctx -> "ran").build()) {
            RunHandle h = second.submit(plan, RunOptions.builder().runId("orphan").build());
            assertThat(h.result()).isNotDone(); // node-1's claim is still valid: wait for it
            assertThat(store.run("orphan")).isEmpty();

            time.advance(Duration.ofSeconds(4)); // the claim expired: the watcher creates and runs the run here

            assertThat(h.result().getNow(null)).isNotNull();
            assertThat(h.result().getNow(null).output("t")).isEqualTo("ran");
            assertThat(second.submit(plan, RunOptions.builder().runId("orphan").build()).result().getNow(null)
                    .status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(LogInvariants.check(store.events("orphan"))).isEmpty();
    }

    @Test
    void aRunThatEndsWhileItsLeaseIsBeingRenewedDoesNotKeepTheLease() {
        // the upkeep takes the active runs, then renews their leases one by one: a run that ended in between gave its
        // lease back at its end, and the renewal took it again for as long as a lease lasts, so another instance's
        // redrive or webhook delivery of the ended run waited for it. The run ends here inside its renewal, as it may
        // on a worker thread while the upkeep runs
        CompletableFuture<Object> slow = new CompletableFuture<>();
        ForwardingRunStore endsWhileRenewed = new ForwardingRunStore(store) {
            @Override
            public java.util.Optional<dev.baton.persistence.Lease> tryLease(String runId, String owner, Duration ttl,
                                                                         java.time.Instant now) {
                if (store.run(runId).isPresent() && !slow.isDone()) {
                    slow.complete("done"); // its end is written and its lease given back, then the renewal goes on
                }
                return super.tryLease(runId, owner, ttl, now);
            }
        };
        try (Orchestrator a = Orchestrator.builder().store(endsWhileRenewed).time(time).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(30)).asyncService("svc", ctx -> slow)
                .build()) {
            RunHandle h = a.submit(Plan.builder().task("t", "svc", Map.of()).build(),
                    RunOptions.builder().runId("ending").build());
            assertThat(h.result()).isNotDone();
            time.advance(Duration.ofSeconds(10)); // the first renewal
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(store.tryLease("ending", "node-b", Duration.ofSeconds(30), time.instant()))
                    .as("the ended run's lease is free").isPresent();
        }
    }

    @Test
    void closeFailsTheHandleOfARunItWatchesOnAnotherInstance() {
        // such a handle follows the store on the scheduler, and close() left it to its next look: with the
        // orchestrator's own scheduler (the default), which close() shuts down, that look never came and the handle
        // waited for ever. Here time stands still after close(), as that scheduler does
        Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
        try (Orchestrator owner = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(30)).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> new CompletableFuture<>()).build()) {
            owner.submit(plan, RunOptions.builder().runId("elsewhere").build());
            Orchestrator watcher = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                    .instanceId("node-b").leaseDuration(Duration.ofSeconds(30)).service("svc", ctx -> "x").build();
            RunHandle watched = watcher.submit(plan, RunOptions.builder().runId("elsewhere").build());
            assertThat(watched.result()).isNotDone();

            watcher.close();
            assertThat(watched.result()).as("failed by close()").isCompletedExceptionally();
            assertThatThrownBy(() -> watched.await(Duration.ofSeconds(1)))
                    .isInstanceOf(OrchestratorClosedException.class);
        }
    }

    @Test
    void aRunWhoseLeaseCannotBeRenewedDoesNotKeepTheOthersFromBeingRenewed() {
        // renewing the leases of "stuck-*" fails (a row lock that times out, say); the other run's lease must still
        // be renewed, or another instance takes a run over from a live owner
        ForwardingRunStore flaky = new ForwardingRunStore(store) {
            @Override
            public java.util.Optional<dev.baton.persistence.Lease> tryLease(String runId, String owner, Duration ttl,
                                                                         java.time.Instant now) {
                if (runId.startsWith("stuck-") && store.run(runId).isPresent()) {
                    throw new dev.baton.persistence.StoreException("lock timeout on " + runId);
                }
                return super.tryLease(runId, owner, ttl, now);
            }
        };
        CompletableFuture<Object> slow = new CompletableFuture<>();
        AtomicInteger taken = new AtomicInteger();
        try (Orchestrator a = Orchestrator.builder().store(flaky).time(time).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(3)).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> slow).build();
             Orchestrator b = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                     .instanceId("node-b").leaseDuration(Duration.ofSeconds(3)).shutdownTimeout(Duration.ZERO)
                     .asyncService("svc", ctx -> {
                         taken.incrementAndGet();
                         return new CompletableFuture<>();
                     }).build()) {
            Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
            for (int k = 0; k < 8; k++) {
                a.submit(plan, RunOptions.builder().runId("stuck-" + k).build());
            }
            a.submit(plan, RunOptions.builder().runId("kept").build());

            time.advance(Duration.ofSeconds(10)); // the stuck runs' leases run out; "kept"'s is renewed

            assertThat(store.events("kept").stream().filter(e -> e instanceof dev.baton.event.TaskStarted))
                    .hasSize(1);
            assertThat(taken).hasValue(8); // node-b took over the stuck runs only
        }
    }

    @Test
    void aDeadLetterIsRedrivenOnceTheLeaseAnotherInstanceLeftOnItsEndedRunHasExpired() {
        java.util.concurrent.atomic.AtomicBoolean fixed = new java.util.concurrent.atomic.AtomicBoolean();
        try (Orchestrator o = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .instanceId("node-2").leaseDuration(Duration.ofSeconds(3)).retryPolicy(RetryPolicy.none())
                .service("svc", ctx -> {
                    if (!fixed.get()) {
                        throw new IllegalStateException("down");
                    }
                    return "ok";
                }).build()) {
            Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
            RunHandle h = o.submit(plan, RunOptions.builder().runId("dl").build());
            assertThat(h.result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
            // an instance that delivered the ended run's webhook died holding its lease
            assertThat(store.tryLease("dl", "node-dead", Duration.ofSeconds(3), time.instant())).isPresent();
            fixed.set(true);
            assertThatThrownBy(() -> o.redrive("dl", "t")).isInstanceOf(BatonException.class)
                    .hasMessageContaining("leased by another instance");

            time.advance(Duration.ofSeconds(4)); // that lease ran out: redriving takes it over, then writes
            assertThat(o.redrive("dl", "t").result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(LogInvariants.check(store.events("dl"))).isEmpty();
    }

    @Test
    void anInstanceCutOffFromTheStorePastItsLeaseStopsTheRunsTakenOverMeanwhileOnceItIsBack() {
        java.util.concurrent.atomic.AtomicBoolean cutOff = new java.util.concurrent.atomic.AtomicBoolean();
        ForwardingRunStore reachable = new ForwardingRunStore(store) {
            private void check() {
                if (cutOff.get()) {
                    throw new dev.baton.persistence.StoreException("connection refused");
                }
            }

            @Override
            public void append(String runId, long expectedSeq, java.util.List<dev.baton.event.RunEvent> events,
                               String owner, java.time.Instant now) {
                check();
                super.append(runId, expectedSeq, events, owner, now);
            }

            @Override
            public java.util.Optional<dev.baton.persistence.Lease> tryLease(String runId, String owner, Duration ttl,
                                                                         java.time.Instant now) {
                check();
                return super.tryLease(runId, owner, ttl, now);
            }

            @Override
            public java.util.List<String> unfinishedRuns() {
                check();
                return super.unfinishedRuns();
            }
        };
        CompletableFuture<Object> aTask = new CompletableFuture<>();
        Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
        try (Orchestrator a = Orchestrator.builder().store(reachable).time(time).executor(Runnable::run)
                .instanceId("node-a").leaseDuration(Duration.ofSeconds(3)).shutdownTimeout(Duration.ZERO)
                .asyncService("svc", ctx -> aTask).build();
             Orchestrator b = Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                     .instanceId("node-b").leaseDuration(Duration.ofSeconds(3))
                     .service("svc", ctx -> "by b").build()) {
            RunHandle h = a.submit(plan, RunOptions.builder().runId("cut").build());
            cutOff.set(true);
            time.advance(Duration.ofSeconds(4)); // node-a cannot renew; node-b takes the run over and ends it
            assertThat(b.inspect("cut").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(aTask).isNotDone(); // node-a does not know yet

            cutOff.set(false);
            time.advance(Duration.ofSeconds(1)); // node-a's renewal finds node-b's lease: it stops the run here

            assertThat(aTask).isCancelled();
            // nor does node-a keep the lease of the ended run (redrives and webhooks elsewhere would wait on it)
            assertThat(store.tryLease("cut", "node-c", Duration.ofSeconds(3), time.instant())).isPresent();
            time.advance(Duration.ofSeconds(1));
            assertThat(h.result().getNow(null).output("t")).isEqualTo("by b");
        }
        assertThat(LogInvariants.check(store.events("cut"))).isEmpty();
    }
}
