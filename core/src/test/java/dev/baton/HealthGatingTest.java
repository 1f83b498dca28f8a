package dev.baton;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Engine-side health gating: tasks of an unhealthy service wait, bounded, without using attempts. */
class HealthGatingTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);

    /** A health source the test flips by hand. */
    static final class FlipSource implements HealthSource {
        private final Map<String, ServiceHealth> health = new ConcurrentHashMap<>();
        private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();

        void set(String service, ServiceHealth h) {
            ServiceHealth before = health.put(service, h);
            for (HealthListener l : listeners) {
                l.onChange(service, before == null ? ServiceHealth.UNKNOWN : before, h, Instant.EPOCH);
            }
        }

        int subscribers() {
            return listeners.size();
        }

        @Override
        public ServiceHealth health(String service) {
            return health.getOrDefault(service, ServiceHealth.UNKNOWN);
        }

        @Override
        public Subscription subscribe(HealthListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }
    }

    /** A remote service that answers at once, or fails the attempts the test asks it to, or holds them. */
    static final class Remote implements TaskTransport {
        final List<TaskRequest> calls = new CopyOnWriteArrayList<>();
        volatile int failFirst;
        volatile boolean hold;
        final List<CompletableFuture<Object>> held = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Object> dispatch(TaskRequest request) {
            calls.add(request);
            if (calls.size() <= failFirst) {
                return CompletableFuture.failedFuture(new RetryableException("busy"));
            }
            if (hold) {
                CompletableFuture<Object> f = new CompletableFuture<>();
                held.add(f);
                return f;
            }
            return CompletableFuture.completedFuture(Map.of("run", request.runId()));
        }
    }

    private final ManualTime time = new ManualTime();
    private final FlipSource source = new FlipSource();
    private final Remote remote = new Remote();
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<ServiceHealthChange> changes = new CopyOnWriteArrayList<>();
    private final List<RunEvent> events = new CopyOnWriteArrayList<>();

    private Orchestrator.Builder builder(ServiceOptions options) {
        return Orchestrator.builder().time(time).store(store).healthSource(source).healthWindow(WINDOW)
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .jitter(0).build())
                .remoteService(ServiceDescriptor.of("remote"), remote, options)
                .service("local", ctx -> "local-done")
                .listener(new RunListener() {
                    @Override
                    public void onEvent(RunEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onServiceHealth(ServiceHealthChange change) {
                        changes.add(change);
                    }
                });
    }

    private static Plan remoteAndLocal() {
        return Plan.builder().task("r", "remote", Map.of()).task("l", "local", Map.of())
                .parallelGroups(List.of(List.of("r", "l"))).build();
    }

    private static RunOptions id(String runId) {
        return RunOptions.builder().runId(runId).schedulingMode(SchedulingMode.EAGER).build();
    }

    private List<String> startedTasks(String runId) {
        List<String> out = new ArrayList<>();
        for (RunEvent e : store.events(runId)) {
            if (e instanceof TaskStarted s) {
                out.add(s.taskId() + "#" + s.attempt());
            }
        }
        return out;
    }

    @Test
    void tasksWaitWhileUnhealthyWithoutAttemptsAndProceedInOrderOnRecovery() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        try (Orchestrator o = builder(ServiceOptions.defaults()).build()) {
            RunHandle h1 = o.submit(remoteAndLocal(), id("h1"));
            RunHandle h2 = o.submit(remoteAndLocal(), id("h2"));
            RunHandle h3 = o.submit(remoteAndLocal(), id("h3"));

            // the local service is not held back; the remote one is not called and no attempt is recorded
            assertThat(startedTasks("h1")).containsExactly("l#1");
            assertThat(remote.calls).isEmpty();
            OrchestratorStatus.ServiceStatus st = o.status().services().get("remote");
            assertThat(st.health()).isEqualTo(ServiceHealth.UNHEALTHY);
            assertThat(st.waitingForHealth()).isEqualTo(3);
            assertThat(st.inFlight()).isZero();
            assertThat(o.status().services().get("local").health()).isEqualTo(ServiceHealth.UNKNOWN);

            time.advance(WINDOW.minusSeconds(1));
            assertThat(remote.calls).isEmpty();
            assertThat(h1.result()).isNotDone();

            source.set("remote", ServiceHealth.HEALTHY);

            assertThat(remote.calls).extracting(TaskRequest::runId).containsExactly("h1", "h2", "h3");
            assertThat(remote.calls).extracting(TaskRequest::attempt).containsOnly(1);
            for (RunHandle h : List.of(h1, h2, h3)) {
                assertThat(h.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            }
            assertThat(o.status().services().get("remote").health()).isEqualTo(ServiceHealth.HEALTHY);
            assertThat(o.status().services().get("remote").waitingForHealth()).isZero();
            assertThat(changes).extracting(ServiceHealthChange::service, ServiceHealthChange::previous,
                    ServiceHealthChange::current, ServiceHealthChange::waiting)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("remote", ServiceHealth.UNKNOWN, ServiceHealth.UNHEALTHY, 0),
                            org.assertj.core.groups.Tuple.tuple("remote", ServiceHealth.UNHEALTHY, ServiceHealth.HEALTHY, 0));
            // once the window has passed, nothing fails: the released tasks' timers were cancelled
            time.advance(WINDOW);
            assertThat(o.status().activeRuns()).isZero();
        }
        assertThat(source.subscribers()).as("unsubscribed on close").isZero();
        assertThat(LogInvariants.check(events)).isEmpty();
    }

    @Test
    void aDependentReadiedByACompletionWaitsForItsUnhealthyService() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        // handlers run on the submitting thread, so l has completed when submit returns
        try (Orchestrator o = builder(ServiceOptions.defaults()).executor(Runnable::run).build()) {
            // l completes first; its completion readies r, whose service is down
            RunHandle h = o.submit(Plan.builder().task("l", "local", Map.of())
                    .task("r", "remote", Map.of("from", "$l")).build(), id("dep"));
            assertThat(startedTasks("dep")).containsExactly("l#1");
            assertThat(remote.calls).isEmpty();
            assertThat(o.status().services().get("remote").waitingForHealth()).isEqualTo(1);
            assertThat(o.status().services().get("remote").inFlight()).isZero();

            source.set("remote", ServiceHealth.HEALTHY);
            assertThat(h.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(remote.calls).extracting(TaskRequest::attempt).containsExactly(1);
        }
    }

    @Test
    void servicesRegisteredAfterBuildAreGatedAndShareHealthAcrossVersions() {
        source.set("late", ServiceHealth.UNHEALTHY);
        Remote late = new Remote();
        try (Orchestrator o = builder(ServiceOptions.defaults()).build()) {
            assertThat(o.registerRemoteService(ServiceDescriptor.of("late"), late, ServiceOptions.defaults()))
                    .isEqualTo(1);
            // the new service reads its health when it is registered: unhealthy, so its task waits
            RunHandle h = o.submit(Plan.builder().task("x", "late", Map.of()).build(), id("late-1"));
            assertThat(late.calls).isEmpty();
            assertThat(o.status().services().get("late").health()).isEqualTo(ServiceHealth.UNHEALTHY);
            assertThat(o.status().services().get("late").waitingForHealth()).isEqualTo(1);

            // a second version shares the first one's health and queue
            Remote lateV2 = new Remote();
            assertThat(o.registerRemoteService(ServiceDescriptor.builder("late").version("2").build(), lateV2,
                    ServiceOptions.defaults())).isEqualTo(2);
            RunHandle h2 = o.submit(Plan.builder().task("x", "late", Map.of()).build(), id("late-2"));
            assertThat(lateV2.calls).isEmpty();
            assertThat(o.status().services().get("late").waitingForHealth()).isEqualTo(2);

            source.set("late", ServiceHealth.HEALTHY);
            assertThat(h.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(h2.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(late.calls).extracting(TaskRequest::runId).containsExactly("late-1");
            assertThat(lateV2.calls).extracting(TaskRequest::runId).containsExactly("late-2");
        }
    }

    @Test
    void theDefaultWindowIsThirtyMinutes() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        try (Orchestrator o = Orchestrator.builder().time(time).store(store).healthSource(source)
                .remoteService(ServiceDescriptor.of("remote"), remote, ServiceOptions.defaults()).build()) {
            RunHandle h = o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("default-window"));
            time.advance(Duration.ofMinutes(30).minusMillis(1));
            assertThat(h.result()).isNotDone();
            time.advance(Duration.ofMillis(1));
            assertThat(h.await(Duration.ofSeconds(5)).error()).get()
                    .satisfies(e -> assertThat(e.code()).isEqualTo("SERVICE_UNHEALTHY"));
            assertThat(remote.calls).isEmpty();
        }
    }

    @Test
    void aTaskStillWaitingWhenTheWindowEndsFailsWithServiceUnhealthy() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        try (Orchestrator o = builder(ServiceOptions.defaults()).build()) {
            RunHandle h = o.submit(remoteAndLocal(), RunOptions.builder().runId("w1")
                    .schedulingMode(SchedulingMode.EAGER).failurePolicy(FailurePolicy.CONTINUE).build());
            time.advance(WINDOW.minusMillis(1));
            assertThat(h.result()).isNotDone();
            time.advance(Duration.ofMillis(1));

            RunResult r = h.await(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).get().satisfies(e -> {
                assertThat(e.code()).isEqualTo("SERVICE_UNHEALTHY");
                assertThat(e.taskId()).isEqualTo("r");
                assertThat(e.message()).contains("remote").contains("PT10M");
            });
            assertThat(r.output("l")).isEqualTo("local-done");
            assertThat(remote.calls).isEmpty();
            assertThat(startedTasks("w1")).containsExactly("l#1");
            assertThat(store.events("w1")).filteredOn(e -> e instanceof TaskFailed).singleElement()
                    .satisfies(e -> assertThat(((TaskFailed) e).attempt()).isZero());
            assertThat(o.status().services().get("remote").waitingForHealth()).isZero();

            // recovering later does not bring the failed task back
            source.set("remote", ServiceHealth.HEALTHY);
            assertThat(remote.calls).isEmpty();
            assertThat(o.inspect("w1").orElseThrow().task("r").orElseThrow().attempts()).isZero();
        }
        assertThat(LogInvariants.check(store.events("w1"))).isEmpty();
    }

    @Test
    void waitingIsNotInTheLogSoAfterARestartTheTaskWaitsAgainWithANewWindow() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        Instant t0 = time.instant();
        Orchestrator first = builder(ServiceOptions.defaults()).build();
        RunHandle h = first.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("restart"));
        assertThat(first.status().services().get("remote").waitingForHealth()).isEqualTo(1);
        time.advance(WINDOW.minusMinutes(2));
        first.close();
        assertThatThrownBy(() -> h.await(Duration.ofSeconds(5))).isInstanceOf(OrchestratorClosedException.class);
        // nothing of the wait was written: the log holds the run's creation only
        assertThat(store.events("restart")).singleElement().isInstanceOf(RunCreated.class);
        time.advance(Duration.ofMinutes(1));

        Instant restart = time.instant();
        try (Orchestrator second = builder(ServiceOptions.defaults()).build()) {
            // the recovered task goes through the gate again and waits, with a window counted from the restart
            assertThat(second.status().services().get("remote").waitingForHealth()).isEqualTo(1);
            time.advance(WINDOW.minusMillis(1)); // well past the first window's end
            assertThat(remote.calls).isEmpty();
            assertThat(store.events("restart")).singleElement().isInstanceOf(RunCreated.class);
            time.advance(Duration.ofMillis(1));

            RunView v = second.inspect("restart").orElseThrow();
            assertThat(v.status()).isEqualTo(RunStatus.FAILED);
            assertThat(v.task("r").orElseThrow().lastError().code()).isEqualTo("SERVICE_UNHEALTHY");
            assertThat(v.task("r").orElseThrow().attempts()).isZero();
            TaskFailed failed = store.events("restart").stream().filter(e -> e instanceof TaskFailed)
                    .map(TaskFailed.class::cast).findFirst().orElseThrow();
            assertThat(failed.at()).isEqualTo(restart.plus(WINDOW)).isNotEqualTo(t0.plus(WINDOW));
            assertThat(failed.attempt()).isZero();
            assertThat(second.status().services().get("remote").waitingForHealth()).isZero();
        }
        assertThat(remote.calls).isEmpty();
        assertThat(LogInvariants.check(store.events("restart"))).isEmpty();
    }

    @Test
    void afterARestartAWaitingTaskProceedsWhenItsServiceRecovers() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        Orchestrator first = builder(ServiceOptions.defaults()).build();
        first.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("resumed"));
        time.advance(Duration.ofMinutes(1));
        first.close();

        try (Orchestrator second = builder(ServiceOptions.defaults()).build()) {
            assertThat(second.status().services().get("remote").waitingForHealth()).isEqualTo(1);
            assertThat(remote.calls).isEmpty();
            source.set("remote", ServiceHealth.HEALTHY);
            assertThat(remote.calls).extracting(TaskRequest::executionId, TaskRequest::attempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("resumed/r", 1));
            assertThat(second.inspect("resumed").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(LogInvariants.check(store.events("resumed"))).isEmpty();
    }

    @Test
    void aRetryDueWhileUnhealthyWaitsAndKeepsItsAttemptCount() {
        remote.failFirst = 1;
        try (Orchestrator o = builder(ServiceOptions.defaults()).build()) {
            RunHandle h = o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("rt"));
            assertThat(remote.calls).hasSize(1);            // attempt 1 failed; attempt 2 due in 1 s
            source.set("remote", ServiceHealth.UNHEALTHY);
            time.advance(Duration.ofMinutes(5));
            assertThat(remote.calls).hasSize(1);
            assertThat(o.status().services().get("remote").waitingForHealth()).isEqualTo(1);

            source.set("remote", ServiceHealth.HEALTHY);
            RunResult r = h.await(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(remote.calls).extracting(TaskRequest::attempt).containsExactly(1, 2);
        }
        assertThat(LogInvariants.check(store.events("rt"))).isEmpty();
    }

    @Test
    void aTaskQueuedForCapacityIsHeldWhenItsServiceTurnsUnhealthy() {
        remote.hold = true;
        try (Orchestrator o = builder(ServiceOptions.builder().capacity(1).build()).build()) {
            RunHandle a = o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("ca"));
            RunHandle b = o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("cb"));
            assertThat(remote.calls).hasSize(1);
            assertThat(o.status().services().get("remote").queued()).isEqualTo(1);

            source.set("remote", ServiceHealth.UNHEALTHY);
            remote.hold = false;
            remote.held.get(0).complete("first");       // frees the slot: the queued task is held, not started
            assertThat(a.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(remote.calls).hasSize(1);
            OrchestratorStatus.ServiceStatus st = o.status().services().get("remote");
            assertThat(st.queued()).isZero();
            assertThat(st.inFlight()).isZero();
            assertThat(st.waitingForHealth()).isEqualTo(1);

            source.set("remote", ServiceHealth.HEALTHY);
            assertThat(b.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(remote.calls).extracting(TaskRequest::runId).containsExactly("ca", "cb");
        }
    }

    @Test
    void aCancelledRunsWaitingTaskIsNeverDispatched() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        try (Orchestrator o = builder(ServiceOptions.defaults()).build()) {
            RunHandle h = o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("cx"));
            assertThat(h.cancel()).isTrue();
            assertThat(h.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.CANCELLED);
            source.set("remote", ServiceHealth.HEALTHY);
            time.advance(WINDOW.plusMinutes(1));
            assertThat(remote.calls).isEmpty();
            assertThat(o.status().runningTasks()).isZero();
        }
        assertThat(LogInvariants.check(store.events("cx"))).isEmpty();
    }

    @Test
    void anEndedRunsWaitingTasksLeaveTheQueueAtOnceAndTheOthersKeepTheirOrder() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        try (Orchestrator o = builder(ServiceOptions.defaults()).build()) {
            Instant windowEnd = time.instant().plus(WINDOW);
            Plan one = Plan.builder().task("r", "remote", Map.of()).build();
            long others = time.dueTimes().stream().filter(windowEnd::equals).count(); // the engine's own timers
            RunHandle a = o.submit(one, id("qa"));
            RunHandle cancelled = o.submit(one, id("qx"));
            RunHandle timedOut = o.submit(one, RunOptions.builder().runId("qt").timeout(Duration.ofMinutes(1))
                    .schedulingMode(SchedulingMode.EAGER).build());
            RunHandle b = o.submit(one, id("qb"));
            assertThat(o.status().services().get("remote").waitingForHealth()).isEqualTo(4);

            // a cancelled run's task leaves the queue (and its window's timer goes) with the cancel, not at the window
            assertThat(cancelled.cancel()).isTrue();
            assertThat(o.status().services().get("remote").waitingForHealth()).isEqualTo(3);
            assertThat(cancelled.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(time.dueTimes()).filteredOn(windowEnd::equals).hasSize((int) others + 3);

            // so does a run that timed out
            time.advance(Duration.ofMinutes(1));
            RunResult r = timedOut.await(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).get().satisfies(e -> assertThat(e.code()).isEqualTo("RUN_TIMEOUT"));
            assertThat(o.status().services().get("remote").waitingForHealth()).isEqualTo(2);
            assertThat(time.dueTimes()).filteredOn(windowEnd::equals).hasSize((int) others + 2);

            // the others still wait in their order, within their own windows
            source.set("remote", ServiceHealth.HEALTHY);
            assertThat(a.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(b.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(remote.calls).extracting(TaskRequest::runId).containsExactly("qa", "qb");
        }
    }

    @Test
    void aRunThatFailedFastTakesItsWaitingTaskOutOfTheQueue() {
        source.set("remote", ServiceHealth.UNHEALTHY);
        try (Orchestrator o = builder(ServiceOptions.defaults()).service("refuser", ctx -> {
            throw new NonRetryableException("no");
        }).build()) {
            Instant windowEnd = time.instant().plus(WINDOW);
            long others = time.dueTimes().stream().filter(windowEnd::equals).count(); // the engine's own timers
            RunHandle h = o.submit(Plan.builder().task("r", "remote", Map.of()).task("f", "refuser", Map.of())
                    .parallelGroups(List.of(List.of("r", "f"))).build(), id("ff"));
            RunResult r = h.await(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).get().satisfies(e -> assertThat(e.taskId()).isEqualTo("f"));
            assertThat(o.status().services().get("remote").waitingForHealth()).isZero();
            assertThat(time.dueTimes()).filteredOn(windowEnd::equals).hasSize((int) others);
        }
        assertThat(LogInvariants.check(store.events("ff"))).isEmpty();
    }

    @Test
    void aServiceIsUnhealthyWhileAnySourceSaysSo() {
        FlipSource second = new FlipSource();
        try (Orchestrator o = builder(ServiceOptions.defaults()).healthSource(second).build()) {
            source.set("remote", ServiceHealth.HEALTHY);
            second.set("remote", ServiceHealth.UNHEALTHY);
            RunHandle h = o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("two"));
            assertThat(remote.calls).isEmpty();
            source.set("remote", ServiceHealth.UNKNOWN);   // no change in the combined view: still unhealthy
            assertThat(remote.calls).isEmpty();
            second.set("remote", ServiceHealth.UNKNOWN);
            assertThat(h.await(Duration.ofSeconds(5)).isCompleted()).isTrue();
            // changes for services the orchestrator does not know are ignored
            second.set("elsewhere", ServiceHealth.UNHEALTHY);
            assertThat(o.status().services()).doesNotContainKey("elsewhere");
        }
    }

    @Test
    void flappingHealthUnderConcurrentSubmitsLosesNoTaskAndRunsEachOnce() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        TaskTransport async = request -> CompletableFuture.supplyAsync(() -> {
            remote.calls.add(request);
            return "ok";
        }, pool);
        int runs = 200;
        List<RunHandle> handles = new CopyOnWriteArrayList<>();
        try (Orchestrator o = Orchestrator.builder().time(time).store(store).healthSource(source).healthWindow(WINDOW)
                .remoteService(ServiceDescriptor.of("remote"), async, ServiceOptions.builder().capacity(3).build())
                .build()) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> submitters = new ArrayList<>();
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(3);
            for (int c = 0; c < 2; c++) {
                int client = c;
                submitters.add(clients.submit(() -> {
                    go.await();
                    for (int k = client; k < runs; k += 2) {
                        handles.add(o.submit(Plan.builder().task("r", "remote", Map.of()).build(), id("s" + k)));
                    }
                    return null;
                }));
            }
            submitters.add(clients.submit(() -> {
                go.await();
                for (int flip = 0; flip < 500; flip++) {
                    source.set("remote", flip % 2 == 0 ? ServiceHealth.UNHEALTHY : ServiceHealth.HEALTHY);
                }
                return null;
            }));
            go.countDown();
            for (java.util.concurrent.Future<?> f : submitters) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            clients.shutdown();
            source.set("remote", ServiceHealth.HEALTHY);
            for (RunHandle h : handles) {
                assertThat(h.await(Duration.ofSeconds(30)).isCompleted()).isTrue();
            }
            assertThat(o.status().services().get("remote").waitingForHealth()).isZero();
        } finally {
            pool.shutdownNow();
        }
        assertThat(handles).hasSize(runs);
        assertThat(remote.calls).hasSize(runs);
        assertThat(remote.calls).extracting(TaskRequest::attempt).containsOnly(1);
        assertThat(remote.calls).extracting(TaskRequest::runId).doesNotHaveDuplicates();
        for (int k = 0; k < runs; k++) {
            assertThat(LogInvariants.check(store.events("s" + k))).isEmpty();
        }
    }

    @Test
    void theWindowMustBePositive() {
        assertThatThrownBy(() -> Orchestrator.builder().healthWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("healthWindow");
        assertThatThrownBy(() -> Orchestrator.builder().healthWindow(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Orchestrator.Builder.DEFAULT_HEALTH_WINDOW).isEqualTo(Duration.ofMinutes(30));
    }
}
