package dev.baton;

import dev.baton.event.RunCreated;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Services registered while the orchestrator runs: versions, pinning of in-flight runs, what runs record. */
class ServiceCatalogAtRunTimeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<Orchestrator> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() {
        toClose.forEach(Orchestrator::close);
    }

    private Orchestrator.Builder builder() {
        return Orchestrator.builder().store(store);
    }

    private Orchestrator keep(Orchestrator o) {
        toClose.add(o);
        return o;
    }

    private static ServiceDescriptor svc(String label, Map<String, ?> inputSchema) {
        ServiceDescriptor.Builder b = ServiceDescriptor.builder("svc").version(label);
        if (inputSchema != null) {
            b.inputSchema(inputSchema);
        }
        return b.build();
    }

    private static Plan onePlan() {
        return Plan.builder().task("a", "svc", Map.of("x", 1)).build();
    }

    @Test
    void aServiceRegisteredAfterBuildIsUsableAndStartsAtVersionOne() {
        Orchestrator o = keep(builder().build());
        assertThatThrownBy(() -> o.submit(onePlan())).isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("svc");

        assertThat(o.registerService("svc", ctx -> Map.of("ok", true))).isEqualTo(1);

        assertThat(o.catalog().version("svc")).hasValue(1);
        RunResult r = o.submit(onePlan(), RunOptions.builder().runId("late").build()).await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(o.inspect("late").orElseThrow().serviceVersions()).containsExactly(Map.entry("svc", 1));
        assertThat(o.registerAsyncService("async", ctx -> java.util.concurrent.CompletableFuture.completedFuture(1)))
                .isEqualTo(1);
        assertThat(o.status().services()).containsKeys("svc", "async");
        assertThat(o.circuitBreaker("async").state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aChangedDescriptorAddsAVersionAndAnIdenticalOneKeepsIt() {
        TaskHandler h = ctx -> "v";
        Orchestrator o = keep(builder().service(svc("1.0", null), h, ServiceOptions.defaults()).build());
        assertThat(o.catalog().version("svc")).hasValue(1);

        assertThat(o.registerService(svc("1.0", null), h, ServiceOptions.defaults())).as("identical").isEqualTo(1);
        assertThat(o.registerService(svc("1.0", Map.of("required", List.of("x"))), h, ServiceOptions.defaults()))
                .as("schema changed").isEqualTo(2);
        assertThat(o.registerService(svc("1.0", Map.of("required", List.of("x"))), h, ServiceOptions.defaults()))
                .as("identical again").isEqualTo(2);
        ServiceDescriptor described = ServiceDescriptor.builder("svc").version("1.0").description("now described")
                .inputSchema(Map.of("required", List.of("x"))).build();
        assertThat(o.registerService(described, h, ServiceOptions.defaults())).as("description changed").isEqualTo(3);
        assertThat(o.registerService(svc("2.0", null), h, ServiceOptions.defaults())).as("label changed").isEqualTo(4);
        assertThat(o.catalog().version("svc")).hasValue(4);
        assertThat(o.catalog().find("svc").orElseThrow().version()).isEqualTo("2.0");

        // the same descriptor with another handler is a mistake, not a silent no-op
        assertThatThrownBy(() -> o.registerService(svc("2.0", null), ctx -> "other", ServiceOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service 'svc' version 4").hasMessageContaining("change the descriptor");
        assertThat(o.catalog().version("svc")).hasValue(4);
    }

    @Test
    void anInFlightRunKeepsTheHandlerAndSchemaItWasValidatedAgainst() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> v1Calls = new CopyOnWriteArrayList<>();
        TaskHandler v1 = ctx -> {
            v1Calls.add(ctx.taskId());
            if (ctx.taskId().equals("a")) {
                firstStarted.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            return Map.of("version", 1);
        };
        Orchestrator o = keep(builder().schemaChecker(new RequiredOnlySchemaChecker())
                .service(svc("1", null), v1, ServiceOptions.defaults()).build());
        // b's input lacks "id": fine under version 1 (no schema), a violation under version 2
        Plan plan = Plan.builder().task("a", "svc", Map.of("x", 1)).task("b", "svc", Map.of("from", "$a.version"))
                .build();
        RunHandle old = o.submit(plan, RunOptions.builder().runId("old").build());
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();

        int v = o.registerService(svc("2", Map.of("required", List.of("id"))), ctx -> Map.of("version", 2),
                ServiceOptions.defaults());
        assertThat(v).isEqualTo(2);
        release.countDown();

        RunResult r = old.await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("b")).isEqualTo(Map.of("version", 1));
        assertThat(v1Calls).containsExactly("a", "b");
        RunCreated created = (RunCreated) store.events("old").get(0);
        assertThat(created.settings().attributes()).containsEntry("serviceVersions", Map.of("svc", 1));
        assertThat(o.inspect("old").orElseThrow().serviceVersions()).containsExactly(Map.entry("svc", 1));

        // a new run is validated against version 2: its literal input misses "id"
        assertThatThrownBy(() -> o.submit(Plan.builder().task("a", "svc", Map.of("x", 1)).build()))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("id");
        RunResult fresh = o.submit(Plan.builder().task("a", "svc", Map.of("id", 1)).build(),
                RunOptions.builder().runId("new").build()).await(WAIT);
        assertThat(fresh.output("a")).isEqualTo(Map.of("version", 2));
        assertThat(o.inspect("new").orElseThrow().serviceVersions()).containsExactly(Map.entry("svc", 2));
    }

    @Test
    void aRunIsReturnedToItsResubmissionEvenWhenItsPlanNoLongerPassesTheCatalog() {
        Plan plan = Plan.builder().task("a", "svc", Map.of("x", 1)).build();
        Orchestrator o = keep(builder().schemaChecker(new RequiredOnlySchemaChecker())
                .service(svc("1", null), ctx -> Map.of("version", 1), ServiceOptions.defaults())
                .planner(FixedPlanner.of(plan)).build());
        o.submit(plan, RunOptions.builder().runId("by-plan").build()).await(WAIT);
        Action action = Action.builder("run a").runId("by-action").build();
        o.submit(action).await(WAIT);
        // version 2 requires "id", which the plan's literal input lacks
        o.registerService(svc("2", Map.of("required", List.of("id"))), ctx -> Map.of("version", 2),
                ServiceOptions.defaults());

        RunResult byPlan = o.submit(plan, RunOptions.builder().runId("by-plan").build()).await(WAIT);
        RunResult byAction = o.submit(action).await(WAIT);

        assertThat(byPlan.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(byPlan.output("a")).isEqualTo(Map.of("version", 1));
        assertThat(byAction.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(byAction.output("a")).isEqualTo(Map.of("version", 1));
        Plan other = Plan.builder().task("a", "svc", Map.of("x", 2)).build();
        assertThatThrownBy(() -> o.submit(other, RunOptions.builder().runId("by-plan").build()))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> o.submit(plan, RunOptions.builder().runId("fresh").build()))
                .isInstanceOf(InvalidPlanException.class);
    }

    @Test
    void thePlannersCatalogCarriesVersionsAndTheRunRecordsThem() {
        List<ServiceCatalog> seen = new CopyOnWriteArrayList<>();
        FixedPlanner fixed = FixedPlanner.of(onePlan());
        Orchestrator o = keep(builder().service("svc", ctx -> "one").service("other", ctx -> "x")
                .planner(new dev.baton.planner.Planner() {
                    @Override
                    public Plan plan(PlanningRequest request) {
                        seen.add(request.catalog());
                        return fixed.plan(request);
                    }
                }).build());
        o.registerService(svc("2", null), ctx -> "two", ServiceOptions.defaults());

        RunResult r = o.submit(Action.builder("do it").runId("act").build()).await(WAIT);

        assertThat(r.output("a")).isEqualTo("two");
        assertThat(seen).singleElement().satisfies(c -> {
            assertThat(c.version("svc")).hasValue(2);
            assertThat(c.version("other")).hasValue(1);
            assertThat(c.versions()).containsEntry("svc", 2).containsEntry("other", 1);
        });
        // only the services the plan uses are recorded
        assertThat(o.inspect("act").orElseThrow().serviceVersions()).containsExactly(Map.entry("svc", 2));
        assertThat(o.plan(Action.of("x", Map.of())).plan().task("a")).isPresent();
    }

    @Test
    void concurrentRegistrationsAndSubmitsAlwaysDispatchToTheVersionARunRecorded() throws Exception {
        Orchestrator o = keep(builder().service(svc("1", null), ctx -> Map.of("v", 1), ServiceOptions.defaults())
                .build());
        int versions = 30;
        int runs = 200;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Future<?> registrar = pool.submit(() -> {
                go.await();
                for (int v = 2; v <= versions; v++) {
                    int version = v;
                    assertThat(o.registerService(svc(String.valueOf(v), null), ctx -> Map.of("v", version),
                            ServiceOptions.defaults())).isEqualTo(v);
                    Thread.yield();
                }
                return null;
            });
            List<Future<RunHandle>> handles = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                handles.add(pool.submit(() -> {
                    go.await();
                    RunHandle last = null;
                    for (int i = 0; i < runs / 3; i++) {
                        last = o.submit(twoTasks(), RunOptions.builder().runId("c-" + thread + "-" + i).build());
                    }
                    return last;
                }));
            }
            go.countDown();
            registrar.get(30, TimeUnit.SECONDS);
            for (Future<RunHandle> h : handles) {
                h.get(30, TimeUnit.SECONDS).await(WAIT);
            }
        } finally {
            pool.shutdownNow();
        }
        int seenVersions = 0;
        int previous;
        for (int t = 0; t < 3; t++) {
            previous = 0;
            for (int i = 0; i < runs / 3; i++) {
                String id = "c-" + t + "-" + i;
                // resubmitting the same plan under the run id hands back that run's outcome
                RunResult r = o.submit(twoTasks(), RunOptions.builder().runId(id).build()).await(WAIT);
                int recorded = o.inspect(id).orElseThrow().serviceVersions().get("svc");
                assertThat(r.output("a")).as("run %s recorded version %d", id, recorded).isEqualTo(Map.of("v", recorded));
                assertThat(r.output("b")).as("run %s, second task", id).isEqualTo(Map.of("v", recorded));
                assertThat(recorded).as("versions only grow within one submitting thread").isGreaterThanOrEqualTo(previous);
                previous = recorded;
                seenVersions = Math.max(seenVersions, recorded);
            }
        }
        assertThat(o.catalog().version("svc")).hasValue(versions);
        RunResult after = o.submit(twoTasks(), RunOptions.builder().runId("after").build()).await(WAIT);
        assertThat(after.output("b")).isEqualTo(Map.of("v", versions));
        assertThat(o.inspect("after").orElseThrow().serviceVersions()).containsEntry("svc", versions);
        assertThat(seenVersions).isBetween(1, versions);
    }

    private static Plan twoTasks() {
        return Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of("p", "$a")).build();
    }

    @Test
    void registeringOnAClosedOrchestratorFails() {
        Orchestrator o = builder().build();
        o.close();
        assertThatThrownBy(() -> o.registerService("svc", ctx -> 1)).isInstanceOf(OrchestratorClosedException.class);
    }

    /** A transport answering with a fixed value, counting its closes. */
    private static final class FixedTransport implements dev.baton.transport.TaskTransport {
        final Object answer;
        final java.util.concurrent.atomic.AtomicInteger closes = new java.util.concurrent.atomic.AtomicInteger();

        FixedTransport(Object answer) {
            this.answer = answer;
        }

        @Override
        public java.util.concurrent.CompletionStage<Object> dispatch(dev.baton.transport.TaskRequest request) {
            return java.util.concurrent.CompletableFuture.completedFuture(answer);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void remoteServicesGetVersionsTooAndEveryVersionsTransportIsClosed() {
        FixedTransport one = new FixedTransport("remote-1");
        FixedTransport two = new FixedTransport("remote-2");
        Orchestrator o = builder().build();
        assertThat(o.registerRemoteService(svc("1", null), one, ServiceOptions.defaults())).isEqualTo(1);
        assertThat(o.registerRemoteService(svc("1", null), one, ServiceOptions.defaults())).isEqualTo(1);
        assertThat(o.submit(onePlan()).await(WAIT).output("a")).isEqualTo("remote-1");
        assertThat(o.registerRemoteService(svc("2", null), two, ServiceOptions.defaults())).isEqualTo(2);
        assertThat(o.submit(onePlan()).await(WAIT).output("a")).isEqualTo("remote-2");

        o.close();
        assertThat(one.closes).hasValue(1);
        assertThat(two.closes).hasValue(1);
    }

    @Test
    void eachVersionHasItsOwnCircuitBreakerAndTheLatestIsShown() {
        ManualTime time = new ManualTime();
        CompletableFuture<Object> gate = new CompletableFuture<>();
        AtomicInteger v1Calls = new AtomicInteger();
        List<String> v2Calls = new CopyOnWriteArrayList<>();
        CircuitBreakerConfig breaker = CircuitBreakerConfig.builder().slidingWindowSize(2).minimumCalls(2)
                .failureRateThreshold(50).waitInOpen(Duration.ofMinutes(1)).permittedCallsInHalfOpen(1).build();
        Orchestrator o = keep(builder().time(time).executor(Runnable::run).retryPolicy(RetryPolicy.none())
                .circuitBreaker(breaker)
                .asyncService("gate", ctx -> gate)
                .service(svc("1", null), ctx -> {
                    v1Calls.incrementAndGet();
                    throw new IllegalStateException("version 1 is broken");
                }, ServiceOptions.defaults())
                .build());
        // validated against version 1, this run reaches svc only once the gate opens
        RunHandle pinned = o.submit(Plan.builder().task("g", "gate", Map.of()).task("a", "svc", Map.of("after", "$g"))
                .build(), RunOptions.builder().runId("pinned").build());
        for (int i = 0; i < 2; i++) {
            assertThat(o.submit(onePlan()).result().getNow(null).status()).isEqualTo(RunStatus.FAILED);
        }
        assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(v1Calls).hasValue(2);

        // version 2 comes with a breaker of its own, closed and empty; circuitBreaker(name) and status() show it
        assertThat(o.registerService(svc("2", null), ctx -> {
            v2Calls.add(ctx.runId());
            return "v2";
        }, ServiceOptions.defaults())).isEqualTo(2);
        assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(o.circuitBreaker("svc").metrics().bufferedCalls()).isZero();
        assertThat(o.status().services().get("svc").breakerState()).isEqualTo(CircuitBreakerState.CLOSED);
        RunResult fresh = o.submit(onePlan(), RunOptions.builder().runId("fresh").build()).result().getNow(null);
        assertThat(fresh.output("a")).isEqualTo("v2");

        // the pinned run dispatches to version 1, whose breaker is still open: rejected without calling either
        gate.complete("go");
        RunResult r = pinned.result().getNow(null);
        assertThat(r).isNotNull();
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error()).get().satisfies(e -> assertThat(e.code()).isEqualTo("CIRCUIT_OPEN"));
        assertThat(v1Calls).hasValue(2);
        assertThat(v2Calls).containsExactly("fresh");
        // version 2's breaker holds its own call only: version 1's failures and rejection are not in it
        CircuitBreakerMetrics m = o.circuitBreaker("svc").metrics();
        assertThat(m.bufferedCalls()).isEqualTo(1);
        assertThat(m.failedCalls()).isZero();
        assertThat(m.notPermittedCalls()).isZero();
        assertThat(o.circuitBreaker("svc").state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void eachVersionHasItsOwnCapacityGateAndStatusShowsTheLatest() {
        List<CompletableFuture<Object>> v1Held = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Object>> v2Held = new CopyOnWriteArrayList<>();
        ServiceOptions one = ServiceOptions.builder().capacity(1).build();
        Orchestrator o = keep(builder().executor(Runnable::run).asyncService(svc("1", null), ctx -> {
            CompletableFuture<Object> f = new CompletableFuture<>();
            v1Held.add(f);
            return f;
        }, one).build());
        RunHandle first = o.submit(onePlan());
        RunHandle queuedOnV1 = o.submit(onePlan());
        assertThat(v1Held).hasSize(1);
        assertThat(o.status().services().get("svc").queued()).isEqualTo(1);

        assertThat(o.registerAsyncService(svc("2", null), ctx -> {
            CompletableFuture<Object> f = new CompletableFuture<>();
            v2Held.add(f);
            return f;
        }, one)).isEqualTo(2);
        // version 1's slot is taken and a task waits for it, yet a run on version 2 starts at once
        RunHandle onV2 = o.submit(onePlan());
        assertThat(v2Held).hasSize(1);
        RunHandle queuedOnV2 = o.submit(onePlan());
        assertThat(v2Held).hasSize(1);
        OrchestratorStatus.ServiceStatus latest = o.status().services().get("svc");
        assertThat(latest.inFlight()).isEqualTo(1);
        assertThat(latest.queued()).as("version 2's queue, not version 1's").isEqualTo(1);
        assertThat(latest.capacity()).isEqualTo(1);
        assertThat(o.status().runningTasks()).isEqualTo(2);

        // freeing version 1's slot starts the task queued on version 1, not the one queued on version 2
        v1Held.get(0).complete("v1");
        assertThat(v1Held).hasSize(2);
        assertThat(v2Held).hasSize(1);
        v1Held.get(1).complete("v1");
        v2Held.get(0).complete("v2");
        assertThat(v2Held).hasSize(2);
        v2Held.get(1).complete("v2");
        assertThat(List.of(first, queuedOnV1)).allSatisfy(h -> assertThat(h.result().getNow(null).output("a")).isEqualTo("v1"));
        assertThat(List.of(onV2, queuedOnV2)).allSatisfy(h -> assertThat(h.result().getNow(null).output("a")).isEqualTo("v2"));
    }

    @Test
    void aRedriveDispatchesToTheVersionRegisteredNow() {
        Orchestrator o = keep(builder().retryPolicy(RetryPolicy.none())
                .service(svc("1", null), ctx -> {
                    throw new IllegalStateException("version 1 is broken");
                }, ServiceOptions.defaults()).build());
        RunResult failed = o.submit(onePlan(), RunOptions.builder().runId("fix").build()).await(WAIT);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(o.deadLetters()).extracting(DeadLetter::taskId).containsExactly("a");

        o.registerService(svc("1.1", null), ctx -> "fixed", ServiceOptions.defaults());
        RunResult redriven = o.redrive("fix", "a").await(WAIT);

        assertThat(redriven.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(redriven.output("a")).isEqualTo("fixed");
        // the record keeps the versions the run was created with
        assertThat(o.inspect("fix").orElseThrow().serviceVersions()).containsEntry("svc", 1);
    }
}
