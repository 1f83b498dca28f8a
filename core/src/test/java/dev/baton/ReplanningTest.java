package dev.baton;

import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.tck.ForwardingRunStore;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.NotActionable;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.Revision;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Re-planning that keeps finished work: a task failing for good leads to a revised plan, not to the run's end. */
class ReplanningTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<Orchestrator> toClose = new ArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<String> executions = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        toClose.forEach(Orchestrator::close);
    }

    private TaskHandler counting(Function<TaskContext, Object> body) {
        return ctx -> {
            calls.computeIfAbsent(ctx.taskId() + ":" + ctx.service(), k -> new AtomicInteger()).incrementAndGet();
            executions.add(ctx.executionId());
            return body.apply(ctx);
        };
    }

    private int calls(String taskAndService) {
        AtomicInteger n = calls.get(taskAndService);
        return n == null ? 0 : n.get();
    }

    private Orchestrator build(Planner planner) {
        return build(planner, Orchestrator.builder());
    }

    private Orchestrator build(Planner planner, Orchestrator.Builder b) {
        Orchestrator o = services(b.store(store), new NonRetryableException("flaky is down")).planner(planner).build();
        toClose.add(o);
        return o;
    }

    /**
     * The four services of the plans here, counted: fetch and report answer, backup answers for whom it was asked,
     * flaky throws {@code flakyError} on every call (retryable or not, as the test needs).
     */
    private Orchestrator.Builder services(Orchestrator.Builder b, RuntimeException flakyError) {
        return b.service("fetch", counting(ctx -> Map.of("name", "Ada", "id", ctx.input().get("id"))))
                .service("flaky", counting(ctx -> {
                    throw flakyError;
                }))
                .service("backup", counting(ctx -> Map.of("via", "backup", "for", ctx.input().get("who"))))
                .service("report", counting(ctx -> Map.of("text", "done for " + ctx.input().get("data"))));
    }

    /** a (fetch) -> b (flaky, fails for good) -> c (report) */
    private static Plan original() {
        return Plan.builder()
                .task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("b", "flaky", Map.of("who", "$a.name"))
                .task("c", "report", Map.of("data", "$b"))
                .build();
    }

    /** a kept, b replaced by b2 (backup), c now reads b2 */
    private static Plan revised() {
        return Plan.builder()
                .task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("b2", "backup", Map.of("who", "$a.name"))
                .task("c", "report", Map.of("data", "$b2.via"))
                .build();
    }

    /** Plans {@code first} for a new action; answers revision requests with {@code revisions} in turn (the last repeats). */
    private static final class Scripted implements Planner {
        final Plan first;
        final List<Plan> revisions;
        final List<PlanningRequest> revisionRequests = new CopyOnWriteArrayList<>();

        Scripted(Plan first, Plan... revisions) {
            this.first = first;
            this.revisions = List.of(revisions);
        }

        @Override
        public Plan plan(PlanningRequest request) {
            if (!request.isRevision()) {
                return first;
            }
            revisionRequests.add(request);
            return revisions.get(Math.min(revisionRequests.size(), revisions.size()) - 1);
        }

        @Override
        public String name() {
            return "scripted";
        }
    }

    private static Action action(String runId) {
        return Action.builder("assist the customer").param("customerId", "C1").runId(runId).replanOnFailure().build();
    }

    private List<RunEvent> log(String runId) {
        return store.events(runId);
    }

    private <T extends RunEvent> List<T> eventsOf(String runId, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (RunEvent e : log(runId)) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    @Test
    void aFailedTaskIsReplacedAndTheCompletedWorkIsKept() {
        Scripted planner = new Scripted(original(), revised());
        Orchestrator o = build(planner);

        RunResult r = o.submit(action("r1")).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("c")).isEqualTo(Map.of("text", "done for backup"));
        assertThat(r.output("a")).isEqualTo(Map.of("name", "Ada", "id", "C1"));
        assertThat(calls("a:fetch")).as("a completed under version 1 and is not called again").isEqualTo(1);
        assertThat(calls("b:flaky")).isEqualTo(1);
        assertThat(calls("b2:backup")).isEqualTo(1);
        assertThat(calls("c:report")).isEqualTo(1);

        // the revision request carries the plan in effect, a's output and b's error
        assertThat(planner.revisionRequests).hasSize(1);
        PlanningRequest req = planner.revisionRequests.get(0);
        Revision rev = req.revision();
        assertThat(rev.planVersion()).isEqualTo(1);
        assertThat(rev.plan().task("b")).isPresent();
        assertThat(rev.completed()).extracting(Revision.CompletedTask::taskId).containsExactly("a");
        Revision.CompletedTask a = rev.completedTask("a").orElseThrow();
        assertThat(a.output()).isEqualTo(Map.of("name", "Ada", "id", "C1"));
        assertThat(a.input()).isEqualTo(Map.of("id", "C1"));
        assertThat(a.executionId()).isEqualTo("r1/a");
        assertThat(rev.failure().taskId()).isEqualTo("b");
        assertThat(rev.failure().service()).isEqualTo("flaky");
        assertThat(rev.failure().code()).isEqualTo("HANDLER_ERROR");
        assertThat(rev.failure().message()).contains("flaky is down");
        assertThat(rev.failure().input()).isEqualTo(Map.of("who", "Ada"));
        assertThat(req.action().intent()).isEqualTo("assist the customer");
        assertThat(req.action().params()).containsEntry("customerId", "C1");
        assertThat(req.catalog().contains("backup")).isTrue();

        // the switch is in the log: version 2 keeps a (execution id and result carried over)
        List<PlanRevised> revisions = eventsOf("r1", PlanRevised.class);
        assertThat(revisions).hasSize(1);
        PlanRevised pr = revisions.get(0);
        assertThat(pr.version()).isEqualTo(2);
        assertThat(pr.kept()).containsExactly("a");
        assertThat(pr.failedTaskId()).isEqualTo("b");
        assertThat(pr.executionIds()).containsEntry("a", "r1/a").containsEntry("b2", "r1/b2").containsEntry("c", "r1/c");
        assertThat(pr.serviceVersions()).containsEntry("backup", 1).containsEntry("fetch", 1);
        assertThat(eventsOf("r1", TaskStarted.class)).extracting(TaskStarted::taskId).containsExactly("a", "b", "b2", "c");
        assertThat(LogInvariants.check(log("r1"))).isEmpty();

        RunView v = o.inspect("r1").orElseThrow();
        assertThat(v.planVersion()).isEqualTo(2);
        assertThat(v.tasks()).extracting(TaskView::taskId).containsExactly("a", "b2", "c");
        assertThat(v.task("a").orElseThrow().executionId()).isEqualTo("r1/a");
        assertThat(v.task("a").orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(v.parallelGroups()).containsExactly(List.of("a"), List.of("b2"), List.of("c"));
        assertThat(v.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(store.unfinishedRuns()).isEmpty();
    }

    @Test
    void withoutOptingInTheRunFailsAndThePlannerIsNotAskedToRevise() {
        Scripted planner = new Scripted(original(), revised());
        Orchestrator o = build(planner);

        RunResult r = o.submit(Action.builder("assist").param("customerId", "C1").runId("plain").build()).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().taskId()).isEqualTo("b");
        assertThat(planner.revisionRequests).isEmpty();
        assertThat(eventsOf("plain", PlanRevised.class)).isEmpty();
        assertThat(o.inspect("plain").orElseThrow().planVersion()).isEqualTo(1);
    }

    @Test
    void anInvalidRevisionIsReportedCountedAndFedBack() {
        Plan unknownService = Plan.builder()
                .task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("b2", "no-such-service", Map.of("who", "$a.name"))
                .build();
        Scripted planner = new Scripted(original(), unknownService, revised());
        Orchestrator o = build(planner);

        RunResult r = o.submit(action("r2")).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(planner.revisionRequests).hasSize(2);
        assertThat(planner.revisionRequests.get(0).previousProblems()).isEmpty();
        assertThat(planner.revisionRequests.get(1).attempt()).isEqualTo(2);
        assertThat(planner.revisionRequests.get(1).previousProblems()).extracting(PlanProblem::code)
                .contains("UNKNOWN_SERVICE");
        assertThat(planner.revisionRequests.get(1).revision().failure().taskId()).isEqualTo("b");
        List<PlanRevisionRejected> rejected = eventsOf("r2", PlanRevisionRejected.class);
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).attempt()).isEqualTo(1);
        assertThat(rejected.get(0).plan()).isNotNull();
        assertThat(rejected.get(0).problems()).extracting(PlanProblem::code).contains("UNKNOWN_SERVICE");
        // counted: the accepted revision is the second of the run, and it is plan version 2
        assertThat(eventsOf("r2", PlanRevised.class)).singleElement()
                .satisfies(p -> assertThat(p.version()).isEqualTo(2));
        assertThat(calls("a:fetch")).isEqualTo(1);
        assertThat(LogInvariants.check(log("r2"))).isEmpty();
    }

    @Test
    void theBoundHoldsAndTheRunFailsWithTheOriginalFailureAndThePlannersReasons() {
        Plan invalid = Plan.builder().task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("x", "nope", Map.of()).build();
        Scripted planner = new Scripted(original(), invalid);
        Orchestrator o = build(planner);

        Action twoRevisions = Action.builder("assist").param("customerId", "C1").runId("bounded")
                .replanOnFailure(2).build();
        RunResult r = o.submit(twoRevisions).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        RunError err = r.error().orElseThrow();
        assertThat(err.taskId()).isEqualTo("b");
        assertThat(err.code()).isEqualTo("HANDLER_ERROR");
        assertThat(err.message()).contains("flaky is down", "revision 1 rejected", "revision 2 rejected",
                "UNKNOWN_SERVICE", "bound of 2");
        assertThat(planner.revisionRequests).hasSize(2);
        assertThat(eventsOf("bounded", PlanRevisionRejected.class)).extracting(PlanRevisionRejected::attempt)
                .containsExactly(1, 2);
        assertThat(LogInvariants.check(log("bounded"))).isEmpty();
        assertThat(o.inspect("bounded").orElseThrow().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void accepedRevisionsCountAgainstTheBoundToo() {
        // every revision keeps b as it is, so b fails again under each version
        Scripted planner = new Scripted(original(), original());
        Orchestrator o = build(planner);

        RunResult r = o.submit(Action.builder("assist").param("customerId", "C1").runId("loop")
                .replanOnFailure(2).build()).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().message()).contains("bound of 2");
        assertThat(planner.revisionRequests).hasSize(2);
        assertThat(planner.revisionRequests.get(1).revision().planVersion()).isEqualTo(2);
        assertThat(eventsOf("loop", PlanRevised.class)).extracting(PlanRevised::version).containsExactly(2, 3);
        assertThat(calls("a:fetch")).isEqualTo(1);
        assertThat(calls("b:flaky")).as("the same work tried again under each version").isEqualTo(3);
        assertThat(executions).filteredOn(id -> id.startsWith("loop/b")).containsOnly("loop/b");
        assertThat(o.inspect("loop").orElseThrow().planVersion()).isEqualTo(3);
        assertThat(LogInvariants.check(log("loop"))).isEmpty();
    }

    @Test
    void aPlannerThatCannotReviseEndsTheRunWithItsReason() {
        AtomicInteger revisions = new AtomicInteger();
        Planner planner = req -> {
            if (!req.isRevision()) {
                return original();
            }
            if (revisions.incrementAndGet() == 1) {
                return NotActionable.plan(req.action().params(), "no other service can do b");
            }
            throw new AssertionError("asked again");
        };
        Orchestrator o = build(planner);
        RunResult r = o.submit(action("na")).await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().message()).contains("flaky is down", "not actionable",
                "no other service can do b");

        Planner down = req -> {
            if (!req.isRevision()) {
                return original();
            }
            throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "the model is down");
        };
        Orchestrator o2 = build(down, Orchestrator.builder());
        RunResult r2 = o2.submit(action("down")).await(WAIT);
        assertThat(r2.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r2.error().orElseThrow().message()).contains("PLANNER_UNAVAILABLE", "the model is down");
        assertThat(LogInvariants.check(log("down"))).isEmpty();

        // an Error of the planner's own (a client library's missing class, say) ends the revisions the same way;
        // before, it escaped the re-planner and the run waited for a revision for ever
        Planner broken = req -> {
            if (!req.isRevision()) {
                return original();
            }
            throw new NoClassDefFoundError("com/example/llm/Client");
        };
        Orchestrator o3 = build(broken, Orchestrator.builder());
        RunResult r3 = o3.submit(action("broken")).await(WAIT);
        assertThat(r3.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r3.error().orElseThrow().message()).contains("the planner failed", "NoClassDefFoundError",
                "com/example/llm/Client");
        assertThat(LogInvariants.check(log("broken"))).isEmpty();
    }

    @Test
    void aChangedTaskWithTheSameIdGetsAFreshExecutionIdAndChangedDependentsRunAgain() {
        // a completes, b fails; the revision changes a's input, so a runs again under a new execution id, and b
        // becomes a backup call
        Plan changed = Plan.builder()
                .task("a", "fetch", Map.of("id", "C2"))
                .task("b", "backup", Map.of("who", "$a.name"))
                .task("c", "report", Map.of("data", "$b.via"))
                .build();
        Scripted planner = new Scripted(original(), changed);
        Orchestrator o = build(planner);

        RunResult r = o.submit(action("fresh")).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("a")).isEqualTo(Map.of("name", "Ada", "id", "C2"));
        PlanRevised pr = eventsOf("fresh", PlanRevised.class).get(0);
        assertThat(pr.kept()).isEmpty();
        assertThat(pr.executionIds()).containsEntry("a", "fresh/a@2").containsEntry("b", "fresh/b@2")
                .containsEntry("c", "fresh/c");
        assertThat(executions).containsExactly("fresh/a", "fresh/b", "fresh/a@2", "fresh/b@2", "fresh/c");
        assertThat(o.inspect("fresh").orElseThrow().task("b").orElseThrow().service()).isEqualTo("backup");
        assertThat(LogInvariants.check(log("fresh"))).isEmpty();
    }

    @Test
    void independentWorkThatCompletedUnderContinueIsKept() {
        Plan withSide = Plan.builder()
                .task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("b", "flaky", Map.of("who", "$a.name"))
                .task("side", "report", Map.of("data", "$a.id"))
                .build();
        Plan revisedSide = Plan.builder()
                .task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("side", "report", Map.of("data", "$a.id"))
                .task("b2", "backup", Map.of("who", "$a.name"))
                .build();
        Scripted planner = new Scripted(withSide, revisedSide);
        Orchestrator o = build(planner);

        RunResult r = o.submit(action("side"), RunOptions.builder().failurePolicy(FailurePolicy.CONTINUE).build())
                .await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(eventsOf("side", PlanRevised.class).get(0).kept()).containsExactly("a", "side");
        assertThat(calls("side:report")).isEqualTo(1);
        assertThat(calls("a:fetch")).isEqualTo(1);
        assertThat(r.output("side")).isEqualTo(Map.of("text", "done for C1"));
        assertThat(eventsOf("side", TaskCompleted.class)).extracting(TaskCompleted::taskId)
                .containsExactly("a", "side", "b2");
    }

    @Test
    void aCrashAfterARevisionResumesTheRevisedPlan() throws Exception {
        CountDownLatch b2Started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Scripted planner = new Scripted(original(), revised());
        Orchestrator first = Orchestrator.builder().store(store).shutdownTimeout(Duration.ZERO)
                .service("fetch", counting(ctx -> Map.of("name", "Ada", "id", ctx.input().get("id"))))
                .service("flaky", counting(ctx -> {
                    throw new NonRetryableException("flaky is down");
                }))
                .service("backup", ctx -> {
                    b2Started.countDown();
                    never.await(10, TimeUnit.SECONDS); // the first instance "hangs" here, then dies
                    return Map.of("via", "late");
                })
                .service("report", counting(ctx -> Map.of("text", "never")))
                .planner(planner).build();
        RunHandle h = first.submit(action("crash"));
        assertThat(b2Started.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        assertThatThrownBy(() -> h.await(Duration.ofSeconds(5))).isInstanceOf(OrchestratorClosedException.class);
        assertThat(store.unfinishedRuns()).containsExactly("crash");

        Orchestrator second = build(planner); // recovers at build
        RunResult r = second.submit(action("crash")).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.output("c")).isEqualTo(Map.of("text", "done for backup"));
        assertThat(calls("a:fetch")).isEqualTo(1);
        assertThat(calls("b:flaky")).isEqualTo(1);
        assertThat(calls("b2:backup")).as("b2 had not completed: it runs again").isEqualTo(1);
        assertThat(planner.revisionRequests).as("the recovered run is not re-planned again").hasSize(1);
        assertThat(eventsOf("crash", PlanRevised.class)).hasSize(1);
        assertThat(second.inspect("crash").orElseThrow().planVersion()).isEqualTo(2);
        never.countDown();
        assertThat(LogInvariants.check(log("crash"))).isEmpty();
    }

    @Test
    void aCrashBeforeTheRevisionResumesIntoReplanning() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Planner stuck = req -> {
            if (!req.isRevision()) {
                return original();
            }
            asked.countDown();
            try {
                never.await(10, TimeUnit.SECONDS); // the first instance dies while its planner thinks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new PlannerException(PlannerException.PLANNER_TIMEOUT, "too late");
        };
        Orchestrator first = build(stuck, Orchestrator.builder().shutdownTimeout(Duration.ZERO));
        RunHandle h = first.submit(action("mid"));
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        assertThatThrownBy(() -> h.await(Duration.ofSeconds(5))).isInstanceOf(OrchestratorClosedException.class);
        assertThat(store.unfinishedRuns()).containsExactly("mid");

        Scripted planner = new Scripted(original(), revised());
        Orchestrator second = build(planner);
        RunResult r = second.submit(action("mid")).await(WAIT);
        never.countDown();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(planner.revisionRequests).hasSize(1);
        assertThat(calls("a:fetch")).isEqualTo(1);
        assertThat(calls("b:flaky")).isEqualTo(1);
        assertThat(LogInvariants.check(log("mid"))).isEmpty();
    }

    @Test
    void aResubmittedActionReturnsTheRevisedRunsOutcome() {
        Scripted planner = new Scripted(original(), revised());
        Orchestrator o = build(planner);
        RunResult first = o.submit(action("again")).await(WAIT);
        RunResult second = o.submit(action("again")).await(WAIT);
        assertThat(second).isEqualTo(first);
        assertThat(calls("b2:backup")).isEqualTo(1);
    }

    @Test
    void aRunWaitingForItsRevisionCanBeCancelled() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        Orchestrator o = build(blocking(asked, answer));
        RunHandle h = o.submit(action("cx"));
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(h.cancel()).isTrue();
        assertThat(h.cancel()).as("only once").isFalse();
        answer.countDown();

        RunResult r = h.await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(calls("b2:backup")).isZero();
        assertThat(eventsOf("cx", PlanRevised.class)).isEmpty();
        assertThat(LogInvariants.check(log("cx"))).isEmpty();
    }

    @Test
    void theHandleOfARevisedRunCancelsThePlanInEffect() throws Exception {
        CountDownLatch b2Started = new CountDownLatch(1);
        Scripted planner = new Scripted(original(), revised());
        Orchestrator o = Orchestrator.builder().store(store)
                .service("fetch", counting(ctx -> Map.of("name", "Ada", "id", ctx.input().get("id"))))
                .service("flaky", counting(ctx -> {
                    throw new NonRetryableException("flaky is down");
                }))
                .asyncService("backup", ctx -> {
                    b2Started.countDown();
                    return new java.util.concurrent.CompletableFuture<>(); // never answers
                })
                .service("report", counting(ctx -> Map.of("text", "never")))
                .planner(planner).build();
        toClose.add(o);
        RunHandle h = o.submit(action("cy"));
        assertThat(b2Started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(h.cancel()).isTrue();

        RunResult r = h.await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(r.output("a")).isEqualTo(Map.of("name", "Ada", "id", "C1"));
        assertThat(o.inspect("cy").orElseThrow().task("b2").orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(LogInvariants.check(log("cy"))).isEmpty();
    }

    /** Holds the append of the first revision until the test lets it go, then writes it. */
    private static final class HeldRevision extends ForwardingRunStore {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldRevision() {
            super(new InMemoryRunStore());
        }

        @Override
        public void append(String runId, long expectedSeq, List<RunEvent> events, String owner,
                           java.time.Instant now) {
            if (events.stream().anyMatch(PlanRevised.class::isInstance) && holding.getCount() > 0) {
                holding.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delegate().append(runId, expectedSeq, events, owner, now);
        }
    }

    @Test
    void aCancelThatComesWhileTheRevisionIsWrittenEndsTheRunCancelled() throws Exception {
        // the planner has answered (its last look at a cancel is behind it) and the revision is being written when
        // the caller cancels: the cancel must still end the run, not be lost in the switch to the new plan
        HeldRevision held = new HeldRevision();
        Orchestrator o = services(Orchestrator.builder().store(held), new NonRetryableException("flaky is down"))
                .planner(new Scripted(original(), revised())).build();
        toClose.add(o);
        RunHandle h = o.submit(action("cz"));
        assertThat(held.holding.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(h.cancel()).isTrue();
        held.release.countDown();

        RunResult r = h.await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(calls("b2:backup")).as("the revised plan never ran").isZero();
        assertThat(calls("c:report")).isZero();
        List<RunEvent> log = held.events("cz");
        assertThat(log).filteredOn(PlanRevised.class::isInstance).hasSize(1);
        assertThat(log.get(log.size() - 1)).isInstanceOf(dev.baton.event.RunCancelled.class);
        assertThat(LogInvariants.check(log)).isEmpty();
        assertThat(o.inspect("cz").orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
    }

    /**
     * Handlers on the calling thread and time by hand; flaky fails with a retryable error on every attempt, retried
     * every second until {@code maxAttempts} are used.
     */
    private Orchestrator retrying(ManualTime time, int maxAttempts, Planner planner) {
        Orchestrator o = services(Orchestrator.builder().store(store).time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.builder().maxAttempts(maxAttempts)
                        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).jitter(0).build()),
                new IllegalStateException("flaky is busy")).planner(planner).build();
        toClose.add(o);
        return o;
    }

    @Test
    void aTaskThatExhaustsItsRetriesIsRevisedOnceItIsDeadLettered() {
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        Scripted planner = new Scripted(original(), revised());
        Orchestrator o = retrying(time, 3, planner);
        RunHandle h = o.submit(action("retries"));

        assertThat(calls("b:flaky")).isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        assertThat(calls("b:flaky")).isEqualTo(2);
        assertThat(planner.revisionRequests).as("not while retries remain").isEmpty();
        RunResult r = endedAfterTheRetry(h, time);
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(calls("b:flaky")).isEqualTo(3);
        assertThat(planner.revisionRequests).singleElement()
                .satisfies(req -> assertThat(req.revision().failure().attempts()).isEqualTo(3));
        assertThat(o.deadLetters()).extracting(DeadLetter::taskId).containsExactly("b");
        assertThat(LogInvariants.check(log("retries"))).isEmpty();
    }

    @Test
    void aDeadLetterOfATaskThatARevisionReplacedStaysListedAndCannotBeRedriven() {
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        // b is replaced twice over: "gone" drops it for b2; "moved" keeps the id b on another service
        Plan moved = Plan.builder()
                .task("a", "fetch", Map.of("id", "$task0.customerId"))
                .task("b", "backup", Map.of("who", "$a.name"))
                .task("c", "report", Map.of("data", "$b.via"))
                .build();
        Map<String, Plan> revisions = Map.of("gone", revised(), "moved", moved);
        Planner planner = req -> req.isRevision() ? revisions.get(req.action().runId().orElseThrow()) : original();
        Orchestrator o = retrying(time, 2, planner);
        RunHandle gone = o.submit(action("gone"));
        RunHandle movedRun = o.submit(action("moved"));
        time.advance(Duration.ofSeconds(1)); // the second attempts fail too: dead-lettered, then revised
        assertThat(gone.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(movedRun.result().getNow(null).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(o.inspect("moved").orElseThrow().task("b").orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);

        List<DeadLetter> letters = o.deadLetters();
        assertThat(letters).extracting(DeadLetter::runId, DeadLetter::taskId, DeadLetter::service)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("gone", "b", "flaky"),
                        org.assertj.core.groups.Tuple.tuple("moved", "b", "flaky"));
        for (DeadLetter letter : letters) {
            int logged = log(letter.runId()).size();
            assertThatThrownBy(() -> o.redrive(letter)).isInstanceOfSatisfying(BatonException.class,
                    e -> assertThat(e.code()).isEqualTo("NOT_DEAD_LETTERED"));
            assertThat(log(letter.runId())).as("nothing written for run %s", letter.runId()).hasSize(logged);
            assertThat(o.inspect(letter.runId()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(o.deadLetters()).as("still listed").containsExactlyInAnyOrderElementsOf(letters);
        assertThat(calls("b:flaky")).isEqualTo(4);
        assertThat(calls("b:backup")).isEqualTo(1);
        assertThat(LogInvariants.check(log("gone"))).isEmpty();
        assertThat(LogInvariants.check(log("moved"))).isEmpty();
    }

    /**
     * Services that answer on the calling thread (async handlers), so the engine's executor runs only the planner's
     * revision call: it can block there while the test moves the clock. b2 (backup) starts and never answers.
     */
    private Orchestrator timedOrchestrator(ManualTime time, Executor plannerThread,
                                          Planner planner, CompletableFuture<String> b2Started) {
        Orchestrator o = Orchestrator.builder().store(store).time(time).executor(plannerThread)
                .asyncService("fetch", ctx -> CompletableFuture.completedFuture(
                        Map.of("name", "Ada", "id", ctx.input().get("id"))))
                .asyncService("flaky", ctx -> CompletableFuture.failedFuture(
                        new NonRetryableException("flaky is down")))
                .asyncService("backup", ctx -> {
                    b2Started.complete(ctx.executionId());
                    return new CompletableFuture<>();
                })
                .asyncService("report", ctx -> CompletableFuture.completedFuture("never"))
                .planner(planner).build();
        toClose.add(o);
        return o;
    }

    /** Answers the revision request with {@link #revised()} once the test lets it, after telling it was asked. */
    private static Planner blocking(CountDownLatch asked, CountDownLatch answer) {
        return req -> {
            if (!req.isRevision()) {
                return original();
            }
            asked.countDown();
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return revised();
        };
    }

    /**
     * A run of the timed orchestrator with a 10 s run timeout whose task b has failed and whose planner is now asked
     * for a revision: it answers when the test counts {@code answer} down. Closing shuts the planner's thread down.
     */
    private final class SlowRevision implements AutoCloseable {
        final ManualTime time;
        final ExecutorService plannerThread = Executors.newSingleThreadExecutor();
        final CountDownLatch answer = new CountDownLatch(1);
        final CompletableFuture<String> b2Started = new CompletableFuture<>();
        final Orchestrator orchestrator;
        final RunHandle handle;

        SlowRevision(String runId, Instant t0) throws InterruptedException {
            time = new ManualTime(t0);
            CountDownLatch asked = new CountDownLatch(1);
            orchestrator = timedOrchestrator(time, plannerThread, blocking(asked, answer), b2Started);
            handle = orchestrator.submit(action(runId), RunOptions.builder().timeout(Duration.ofSeconds(10)).build());
            assertThat(asked.await(10, TimeUnit.SECONDS)).as("the planner was asked for a revision").isTrue();
        }

        @Override
        public void close() {
            plannerThread.shutdownNow();
        }
    }

    @Test
    void theRunTimeoutIsNotEnforcedWhileThePlannerThinksAndAppliesAgainOnceTheRevisionRuns() throws Exception {
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        try (SlowRevision slow = new SlowRevision("slow-planner", t0)) {
            ManualTime time = slow.time;
            CountDownLatch answer = slow.answer;
            CompletableFuture<String> b2Started = slow.b2Started;
            Orchestrator o = slow.orchestrator;
            RunHandle h = slow.handle;

            // the planner thinks well past the run's deadline: the run is not timed out meanwhile
            time.advance(Duration.ofMinutes(5));
            assertThat(h.result()).isNotDone();
            assertThat(log("slow-planner")).noneMatch(e -> e instanceof dev.baton.event.RunFailed);
            assertThat(o.inspect("slow-planner").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

            answer.countDown();
            assertThat(b2Started.get(10, TimeUnit.SECONDS)).isEqualTo("slow-planner/b2");
            // the revision runs; its deadline is the run's (created + 10 s), long past: the next tick ends it
            time.runDue();
            RunResult r = h.await(WAIT);
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).get().satisfies(e -> {
                assertThat(e.code()).isEqualTo("RUN_TIMEOUT");
                assertThat(e.message()).contains("PT10S");
            });
            assertThat(r.output("a")).isEqualTo(Map.of("name", "Ada", "id", "C1"));
            RunView v = o.inspect("slow-planner").orElseThrow();
            assertThat(v.planVersion()).isEqualTo(2);
            assertThat(v.task("b2").orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(v.task("b2").orElseThrow().lastError().code()).isEqualTo("RUN_TIMEOUT");
            assertThat(v.task("c").orElseThrow().status()).isEqualTo(TaskStatus.SKIPPED);
            assertThat(eventsOf("slow-planner", PlanRevised.class)).singleElement()
                    .satisfies(e -> assertThat(e.at()).isEqualTo(t0.plus(Duration.ofMinutes(5))));
            assertThat(LogInvariants.check(log("slow-planner"))).isEmpty();
        }
    }

    @Test
    void aRevisionThatComesBeforeTheDeadlineKeepsTheRunsDeadline() throws Exception {
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        try (SlowRevision slow = new SlowRevision("quick-planner", t0)) {
            ManualTime time = slow.time;
            RunHandle h = slow.handle;
            time.advance(Duration.ofSeconds(4));
            slow.answer.countDown();
            assertThat(slow.b2Started.get(10, TimeUnit.SECONDS)).isEqualTo("quick-planner/b2");

            // the deadline stays 10 s after the run was created, not 10 s after the revision
            time.advance(Duration.ofSeconds(6).minusMillis(1));
            assertThat(h.result()).isNotDone();
            time.advance(Duration.ofMillis(1));
            RunResult r = h.await(WAIT);
            assertThat(r.error()).get().satisfies(e -> assertThat(e.code()).isEqualTo("RUN_TIMEOUT"));
            RunEvent last = log("quick-planner").get(log("quick-planner").size() - 1);
            assertThat(last).isInstanceOf(dev.baton.event.RunFailed.class);
            assertThat(last.at()).isEqualTo(t0.plusSeconds(10));
            assertThat(LogInvariants.check(log("quick-planner"))).isEmpty();
        }
    }

    /** Writes every append, but reports the first one holding a given event type as failed (its acknowledgement lost). */
    private static final class LostAck extends ForwardingRunStore {
        final Class<? extends RunEvent> type;
        final AtomicInteger lost = new AtomicInteger();

        LostAck(Class<? extends RunEvent> type) {
            super(new InMemoryRunStore());
            this.type = type;
        }

        @Override
        public void append(String runId, long expectedSeq, List<RunEvent> events, String owner,
                           java.time.Instant now) {
            delegate().append(runId, expectedSeq, events, owner, now);
            if (events.stream().anyMatch(type::isInstance) && lost.getAndIncrement() == 0) {
                throw new dev.baton.persistence.StoreException("connection reset after the commit");
            }
        }
    }

    private Orchestrator lossy(dev.baton.persistence.RunStore lossy, dev.baton.time.ManualTime time, Planner planner) {
        Orchestrator o = services(Orchestrator.builder().store(lossy).time(time).executor(Runnable::run),
                new NonRetryableException("flaky is down")).planner(planner).build();
        toClose.add(o);
        return o;
    }

    @Test
    void aRevisionWhoseAcknowledgementWasLostIsTakenUpNotAskedForAgain() {
        LostAck store = new LostAck(PlanRevised.class);
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        Scripted planner = new Scripted(original(), revised());
        RunHandle h = lossy(store, time, planner).submit(action("ack"));
        assertThat(store.lost).hasValue(1);
        assertThat(h.result()).isNotDone();

        RunResult r = endedAfterTheRetry(h, time); // the retry finds the revision in the log
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(planner.revisionRequests).as("asked once").hasSize(1);
        assertThat(calls("b2:backup")).isEqualTo(1);
        assertThat(LogInvariants.check(store.events("ack"))).isEmpty();
    }

    @Test
    void aCancelWhileALostRevisionAcknowledgementIsRetriedEndsTheRunCancelled() {
        // the revision is in the log but its write reported a failure; the retry a second later takes it up: a cancel
        // in between must end the run, not be dropped by the retry's switch to the revised plan
        LostAck store = new LostAck(PlanRevised.class);
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        RunHandle h = lossy(store, time, new Scripted(original(), revised())).submit(action("ackc"));
        assertThat(store.lost).hasValue(1);

        assertThat(h.cancel()).isTrue();
        RunResult r = endedAfterTheRetry(h, time);
        assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(calls("b2:backup")).isZero();
        assertThat(LogInvariants.check(store.events("ackc"))).isEmpty();
    }

    @Test
    void aCancelRightAfterTheFailureThatAsksForARevisionIsKept() throws Exception {
        // the listener hears of the failure before the re-planner has started: the run is not ended, so the cancel
        // must be taken (true) and applied once the re-planner looks
        CompletableFuture<RunHandle> handle = new CompletableFuture<>();
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        Orchestrator o = build(new Scripted(original(), revised()), Orchestrator.builder().listener(e -> {
            if (e instanceof dev.baton.event.TaskFailed f && !f.retrying() && !cancelled.isDone()) {
                try {
                    cancelled.complete(handle.get(5, TimeUnit.SECONDS).cancel());
                } catch (Exception ex) {
                    cancelled.completeExceptionally(ex);
                }
            }
        }));
        handle.complete(o.submit(action("early")));

        assertThat(cancelled.get(10, TimeUnit.SECONDS)).isTrue();
        RunResult r = handle.get().await(WAIT);
        assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(calls("b2:backup")).isZero();
        assertThat(eventsOf("early", PlanRevised.class)).isEmpty();
        assertThat(LogInvariants.check(log("early"))).isEmpty();
    }

    @Test
    void aFailedRunWhoseAcknowledgementWasLostEndsOnTheRetry() {
        LostAck store = new LostAck(dev.baton.event.RunFailed.class);
        ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
        Planner notActionable = req -> req.isRevision() ? NotActionable.plan(req.action().params(), "no way")
                : original();
        RunHandle h = lossy(store, time, notActionable).submit(action("ack2"));
        assertThat(store.lost).hasValue(1);
        assertThat(h.result()).isNotDone();

        RunResult r = endedAfterTheRetry(h, time);
        assertThat(r.status()).isEqualTo(RunStatus.FAILED);
        assertThat(r.error().orElseThrow().message()).contains("no way");
        assertThat(LogInvariants.check(store.events("ack2"))).isEmpty();
    }

    /** Advances the clock by the second a retry waits; the run has ended by then. */
    private static RunResult endedAfterTheRetry(RunHandle h, ManualTime time) {
        time.advance(Duration.ofSeconds(1));
        RunResult r = h.result().getNow(null);
        assertThat(r).as("ended by the retry").isNotNull();
        return r;
    }
}
