package dev.baton;

import dev.baton.event.RunCreated;
import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.planner.Action;
import dev.baton.planner.DefinitionParameter;
import dev.baton.planner.DefinitionPlanner;
import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.MissingParameterException;
import dev.baton.planner.NotActionable;
import dev.baton.planner.PlanDefinition;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.DefinitionStoreRepository;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanningTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<Orchestrator> toClose = new ArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void tearDown() {
        toClose.forEach(Orchestrator::close);
    }

    private Orchestrator build(Planner planner, int attempts) {
        Orchestrator o = Orchestrator.builder().store(store)
                .service("customer-service", ctx -> {
                    calls.incrementAndGet();
                    return Map.of("id", ctx.input().get("customerId"), "name", "Ada");
                })
                .service("notifier", ctx -> {
                    calls.incrementAndGet();
                    return Map.of("sent", true, "to", ctx.input().get("customer"));
                })
                .planner(planner).planningAttempts(attempts).build();
        toClose.add(o);
        return o;
    }

    private static Plan good() {
        return Plan.builder()
                .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("task2", "notifier", Map.of("customer", "$task1.name"))
                .build();
    }

    private static Plan cyclic() {
        return Plan.builder()
                .task("task1", "customer-service", Map.of("customerId", "$task2.id"))
                .task("task2", "notifier", Map.of("customer", "$task1.name"))
                .build();
    }

    /** Answers with the given plans in turn, recording every request. */
    private static final class Scripted implements Planner {
        final List<Plan> answers;
        final List<PlanningRequest> requests = new CopyOnWriteArrayList<>();

        Scripted(Plan... answers) {
            this.answers = List.of(answers);
        }

        @Override
        public Plan plan(PlanningRequest request) {
            requests.add(request);
            return answers.get(Math.min(requests.size(), answers.size()) - 1);
        }

        @Override
        public String name() {
            return "scripted";
        }
    }

    @Test
    void submitsTheAcceptedPlanWithTheActionsIdsAndRecordsThePlanning() {
        Scripted planner = new Scripted(cyclic(), good());
        Orchestrator o = build(planner, 3);
        Action action = Action.builder("notify the customer").param("customerId", "C1").runId("act-1")
                .correlationId("corr-1").webhook(URI.create("https://example.org/done")).build();

        RunResult r = o.submit(action).await(WAIT);

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.runId()).isEqualTo("act-1");
        assertThat(r.output("task2")).isEqualTo(Map.of("sent", true, "to", "Ada"));
        assertThat(planner.requests).hasSize(2);
        assertThat(planner.requests.get(0).attempt()).isEqualTo(1);
        assertThat(planner.requests.get(0).previousProblems()).isEmpty();
        assertThat(planner.requests.get(0).catalog().contains("notifier")).isTrue();
        assertThat(planner.requests.get(1).attempt()).isEqualTo(2);
        assertThat(planner.requests.get(1).previousProblems()).extracting(PlanProblem::code).contains("CYCLE");

        RunCreated created = (RunCreated) store.events("act-1").get(0);
        assertThat(created.settings().correlationId()).isEqualTo("corr-1");
        assertThat(created.plan().params()).containsEntry("customerId", "C1");
        Map<String, Object> attrs = created.settings().attributes();
        assertThat(attrs).containsEntry("planner", "scripted").containsEntry("planningAttempts", 2)
                .containsEntry("intent", "notify the customer").containsEntry("webhook", "https://example.org/done");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rejected = (List<Map<String, Object>>) attrs.get("rejectedPlans");
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0)).containsEntry("attempt", 1);
        assertThat(rejected.get(0).get("errors").toString()).contains("CYCLE");
    }

    @Test
    void failsWithEveryAttemptsErrorsAfterTheLimitAndRunsNothing() {
        Scripted planner = new Scripted(cyclic(), Plan.builder().task("task1", "nope", Map.of()).build());
        Orchestrator o = build(planner, 3);

        assertThatThrownBy(() -> o.submit(Action.builder("x").runId("never").build()))
                .isInstanceOfSatisfying(PlanningFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("PLANNING_FAILED");
                    assertThat(e.planner()).isEqualTo("scripted");
                    assertThat(e.attempts()).hasSize(3);
                    assertThat(e.attempts().get(0).problems()).extracting(PlanProblem::code).contains("CYCLE");
                    assertThat(e.attempts().get(1).problems()).extracting(PlanProblem::code).contains("UNKNOWN_SERVICE");
                    assertThat(e.attempts().get(2).rejectedPlan()).isPresent();
                    assertThat(e.getMessage()).contains("attempt 1", "attempt 3", "CYCLE", "UNKNOWN_SERVICE");
                });
        assertThat(planner.requests).hasSize(3);
        assertThat(calls).hasValue(0);
        assertThat(store.run("never")).isEmpty();
    }

    @Test
    void notActionableEndsTheSubmissionWithTheReason() {
        Planner planner = r -> NotActionable.plan(r.action().params(), "no service can issue refunds");
        Orchestrator o = build(planner, 3);

        assertThatThrownBy(() -> o.submit(Action.builder("refund order").runId("refund-1").build()))
                .isInstanceOfSatisfying(NotActionableException.class, e -> {
                    assertThat(e.code()).isEqualTo("NOT_ACTIONABLE");
                    assertThat(e.reason()).isEqualTo("no service can issue refunds");
                    assertThat(NotActionable.test(e.plan())).isTrue();
                });
        assertThat(store.run("refund-1")).isEmpty();
        assertThat(calls).hasValue(0);
    }

    @Test
    void replannableAnswersAreFedBackAndOtherPlannerFailuresStopAtOnce() {
        AtomicInteger asked = new AtomicInteger();
        List<PlanningRequest> seen = new CopyOnWriteArrayList<>();
        Planner unreadableThenGood = r -> {
            seen.add(r);
            if (asked.incrementAndGet() == 1) {
                throw new PlannerException(PlannerException.NO_PLAN_IN_REPLY, "no JSON in the reply",
                        List.of(new PlanProblem(PlannerException.NO_PLAN_IN_REPLY, null, "", "answer with JSON")), null);
            }
            return good();
        };
        Orchestrator o = build(unreadableThenGood, 3);
        assertThat(o.submit(Action.of("x", Map.of("customerId", "C2"))).await(WAIT).isCompleted()).isTrue();
        assertThat(seen.get(1).previousProblems()).extracting(PlanProblem::code).containsExactly("NO_PLAN_IN_REPLY");

        AtomicInteger down = new AtomicInteger();
        Planner unavailable = r -> {
            down.incrementAndGet();
            throw new PlannerException(PlannerException.PLANNER_TIMEOUT, "no answer in 1s");
        };
        Orchestrator o2 = build(unavailable, 3);
        assertThatThrownBy(() -> o2.submit(Action.of("x", Map.of())))
                .isInstanceOfSatisfying(PlanningFailedException.class, e -> {
                    assertThat(e.attempts()).hasSize(1);
                    assertThat(e.attempts().get(0).problems().get(0).code()).isEqualTo("PLANNER_TIMEOUT");
                    assertThat(e.getCause()).isInstanceOf(PlannerException.class);
                });
        assertThat(down).hasValue(1);
    }

    @Test
    void definitionPlannerOverTheStoreRunsASavedDefinition() {
        DefinitionRepository definitions = DefinitionStoreRepository.of((dev.baton.persistence.RunStore) store);
        definitions.save(PlanDefinition.of("notify-customer", 1, good(), DefinitionParameter.required("customerId")));
        Orchestrator o = build(DefinitionPlanner.byIntent(definitions), 3);

        RunResult r = o.submit(Action.of("notify-customer", Map.of("customerId", "C9"))).await(WAIT);
        assertThat(r.output("task1")).isEqualTo(Map.of("id", "C9", "name", "Ada"));
        assertThat(((RunCreated) store.events(r.runId()).get(0)).settings().attributes())
                .containsEntry("planner", "definitions");

        assertThatThrownBy(() -> o.submit(Action.of("notify-customer", Map.of())))
                .isInstanceOfSatisfying(PlanningFailedException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(MissingParameterException.class));
    }

    @Test
    void planOnlyAndConfigurationChecks() {
        Orchestrator o = build(FixedPlanner.of(good()), 1);
        PlannedAction planned = o.plan(Action.of("x", Map.of("customerId", "C1")));
        assertThat(planned.parallelGroups()).containsExactly(List.of("task1"), List.of("task2"));
        assertThat(planned.attempts()).isEqualTo(1);
        assertThat(store.runs(dev.baton.persistence.RunFilter.all(100))).isEmpty();

        ActionPlanning standalone = ActionPlanning.of(FixedPlanner.of(cyclic()),
                ServiceCatalog.of(ServiceDescriptor.of("customer-service"), ServiceDescriptor.of("notifier")), 2);
        assertThatThrownBy(() -> standalone.plan(Action.of("x", Map.of())))
                .isInstanceOfSatisfying(PlanningFailedException.class, e -> assertThat(e.attempts()).hasSize(2));

        assertThatThrownBy(() -> Orchestrator.builder().planningAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        Orchestrator none = Orchestrator.builder().build();
        toClose.add(none);
        assertThatThrownBy(() -> none.submit(Action.of("x", Map.of()))).isInstanceOf(IllegalStateException.class);
        assertThat(new Task("task1", "s", Map.of(), null).dependsOn()).isEmpty();
    }

    /** Answers a plan of its own each call, as an LLM does: task ids and inputs differ between answers. */
    private static final class Drifting implements Planner {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Plan plan(PlanningRequest request) {
            int n = calls.incrementAndGet();
            return Plan.builder()
                    .task("lookup" + n, "customer-service", Map.of("customerId", "$task0.customerId"))
                    .task("notify" + n, "notifier", Map.of("customer", "$lookup" + n + ".name"))
                    .build();
        }
    }

    @Test
    void aResubmittedActionGetsItsRunWithoutAskingThePlannerAgain() {
        Drifting planner = new Drifting();
        Orchestrator o = build(planner, 1);
        Action action = Action.builder("notify the customer").param("customerId", "C1").runId("act-again").build();
        RunResult first = o.submit(action).await(WAIT);

        RunResult again = o.submit(action).await(WAIT);

        assertThat(again.runId()).isEqualTo("act-again");
        assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(again.output("notify1")).isEqualTo(first.output("notify1"));
        assertThat(planner.calls).hasValue(1);
        assertThat(calls).hasValue(2); // neither task ran again
    }

    @Test
    void anotherActionUnderTheSameRunIdConflictsWithoutAPlannerCall() {
        AtomicInteger asked = new AtomicInteger();
        Planner planner = request -> {
            asked.incrementAndGet();
            return good(); // the same plan for any action
        };
        Orchestrator o = build(planner, 1);
        o.submit(Action.builder("notify the customer").param("customerId", "C1").runId("act-other").build())
                .await(WAIT);

        assertThatThrownBy(() -> o.submit(Action.builder("delete the customer").param("customerId", "C1")
                .runId("act-other").build())).isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> o.submit(Action.builder("notify the customer").param("customerId", "C2")
                .runId("act-other").build())).isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> o.submit(Action.builder("notify the customer").param("customerId", "C1")
                .replanOnFailure().runId("act-other").build())).isInstanceOf(IdempotencyConflictException.class);
        assertThat(asked).hasValue(1);
    }

    @Test
    void anActionResubmittedWhileItIsPlannedWaitsForThatPlanningInsteadOfPlanningAgain() throws Exception {
        CountDownLatch planning = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        Drifting drifting = new Drifting();
        Planner planner = request -> {
            planning.countDown();
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return drifting.plan(request);
        };
        Orchestrator o = build(planner, 1);
        Action action = Action.builder("notify the customer").param("customerId", "C1").runId("act-twice").build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RunHandle> first = pool.submit(() -> o.submit(action));
            planning.await();
            AtomicReference<Thread> second = new AtomicReference<>();
            Future<RunHandle> resubmitted = pool.submit(() -> {
                second.set(Thread.currentThread());
                return o.submit(action);
            });
            // the resubmission parks: in the planner (the defect: a second planning) or waiting for the first one
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((second.get() == null || second.get().getState() != Thread.State.WAITING)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            answer.countDown();

            RunResult a = first.get(10, TimeUnit.SECONDS).await(WAIT);
            RunResult b = resubmitted.get(10, TimeUnit.SECONDS).await(WAIT);
            assertThat(b.runId()).isEqualTo(a.runId());
            assertThat(b.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(drifting.calls).hasValue(1);
        } finally {
            answer.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aPlannedTask0ThatNamesAServiceIsRefusedNotDropped() {
        // the planner numbered its first real task 0; its input happens to fit the parameters' field names
        Plan numberedFromZero = Plan.of(List.of(new Task("task0", "customer-service", Map.of("customerId", "C9"), null),
                Task.of("task1", "notifier", Map.of("customer", "$task0.customerId"))), List.of());
        Orchestrator o = build(request -> numberedFromZero, 1);

        assertThatThrownBy(() -> o.submit(Action.of("notify", Map.of("customerId", "C1"))))
                .isInstanceOfSatisfying(PlanningFailedException.class, e -> assertThat(e.attempts().get(0).problems())
                        .extracting(PlanProblem::code).containsExactly("INVALID_STRUCTURE"));
        assertThat(calls).hasValue(0);
        assertThat(FixedPlanner.withParams(numberedFromZero, Map.of("customerId", "C1")).tasks().get(0))
                .isEqualTo(new Task("task0", "customer-service", Map.of("customerId", "C1"), null));
    }
}
