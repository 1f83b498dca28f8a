package dev.baton.planner;

import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlannersTest {

    private static final Plan TEMPLATE = Plan.builder()
            .params(Map.of("channel", "email"))
            .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
            .task("task2", "notifier", Map.of("channel", "$task0.channel", "customer", "$task1"))
            .build();

    @Test
    void actionIsAFrozenValue() {
        Action a = Action.builder("assist").param("customerId", "C1").runId("r-1").correlationId("c-1")
                .webhook(URI.create("https://example.org/hook")).build();
        assertThat(a).isEqualTo(Action.builder("assist").params(Map.of("customerId", "C1")).runId("r-1")
                .correlationId("c-1").webhook(URI.create("https://example.org/hook")).build());
        assertThat(a.runId()).contains("r-1");
        assertThat(a.webhook()).isPresent();
        assertThatThrownBy(() -> a.params().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Action.builder(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Action.builder("x").webhook(URI.create("relative")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fixedPlannerFillsTask0FromTheAction() {
        Plan p = FixedPlanner.of(TEMPLATE).plan(PlanningRequest.first(
                Action.of("assist", Map.of("customerId", "C1")), ServiceCatalog.empty()));
        assertThat(p.params()).containsEntry("customerId", "C1").containsEntry("channel", "email");
        assertThat(p.tasks()).hasSize(3);
        assertThat(p.tasks().get(0).isParams()).isTrue();
        assertThat(FixedPlanner.of(TEMPLATE).name()).isEqualTo("fixed");
    }

    @Test
    void definitionsAreImmutableOnceSaved() {
        DefinitionRepository repo = DefinitionRepository.inMemory();
        PlanDefinition v1 = PlanDefinition.of("assist", 1, TEMPLATE, DefinitionParameter.required("customerId"));
        assertThat(repo.save(v1)).isTrue();
        assertThat(repo.save(v1)).isFalse();
        PlanDefinition other = PlanDefinition.of("assist", 1, TEMPLATE);
        assertThatThrownBy(() -> repo.save(other)).isInstanceOf(DefinitionConflictException.class)
                .extracting(e -> ((PlannerException) e).code()).isEqualTo("DEFINITION_EXISTS");
        PlanDefinition v2 = PlanDefinition.of("assist", 2, TEMPLATE, DefinitionParameter.required("customerId"),
                DefinitionParameter.optional("priority", "normal"));
        repo.save(v2);
        assertThat(repo.latest("assist")).contains(v2);
        assertThat(repo.get("assist", 1)).contains(v1);
        assertThat(repo.get("assist", 3)).isEmpty();
        assertThat(repo.list()).containsExactly(v1, v2);
    }

    @Test
    void definitionPlannerResolvesByIntentAndChecksParameters() {
        DefinitionRepository repo = DefinitionRepository.inMemory();
        repo.save(PlanDefinition.of("assist", 1, TEMPLATE, DefinitionParameter.required("customerId")));
        repo.save(PlanDefinition.of("assist", 2, TEMPLATE, DefinitionParameter.required("customerId"),
                DefinitionParameter.required("orderId"), DefinitionParameter.optional("priority", "normal")));
        ServiceCatalog none = ServiceCatalog.empty();

        Plan latest = DefinitionPlanner.byIntent(repo).plan(PlanningRequest.first(
                Action.of("assist", Map.of("customerId", "C1", "orderId", "O1")), none));
        assertThat(latest.params()).containsEntry("priority", "normal").containsEntry("orderId", "O1");

        Plan v1 = DefinitionPlanner.byIntent(repo).plan(PlanningRequest.first(
                Action.of("assist@1", Map.of("customerId", "C1")), none));
        assertThat(v1.params()).doesNotContainKey("priority");

        assertThatThrownBy(() -> DefinitionPlanner.latest(repo, "assist").plan(PlanningRequest.first(
                Action.of("anything", Map.of()), none)))
                .isInstanceOfSatisfying(MissingParameterException.class, e -> {
                    assertThat(e.code()).isEqualTo("MISSING_PARAMETER");
                    assertThat(e.missing()).containsExactly("customerId", "orderId");
                    assertThat(e.definition()).isEqualTo("assist@2");
                    assertThat(e.replannable()).isFalse();
                });
        assertThatThrownBy(() -> DefinitionPlanner.byIntent(repo).plan(PlanningRequest.first(
                Action.of("refund", Map.of()), none)))
                .isInstanceOf(DefinitionNotFoundException.class);
        // an intent of any length is no definition name; the message quotes only its start
        assertThatThrownBy(() -> DefinitionPlanner.byIntent(repo).plan(PlanningRequest.first(
                Action.of("x".repeat(7_000), Map.of()), none)))
                .isInstanceOf(DefinitionNotFoundException.class)
                .hasMessageContaining("(7000 characters)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    @Test
    void definitionJsonRoundTrips() {
        PlanDefinition d = new PlanDefinition("assist", 3, TEMPLATE.withParallelGroups(List.of(List.of("task1"), List.of("task2"))),
                List.of(new DefinitionParameter("customerId", true, "who", null), DefinitionParameter.optional("n", 2)));
        assertThat(PlanDefinition.fromJson(d.toJson())).isEqualTo(d);
        assertThatThrownBy(() -> PlanDefinition.fromJson(Map.of("name", "x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void notActionableConvention() {
        Plan answer = NotActionable.plan(Map.of("a", 1), "no refund service");
        assertThat(NotActionable.reason(answer)).contains("no refund service");
        assertThat(NotActionable.test(TEMPLATE)).isFalse();
        Plan withService = Plan.builder().task("final", "svc", Map.of("error", "x")).build();
        assertThat(NotActionable.test(withService)).isFalse();
        Plan noError = Plan.builder().task(new dev.baton.plan.Task("final", null, Map.of("msg", "x"), null)).build();
        assertThat(NotActionable.test(noError)).isFalse();
    }

    @Test
    void planningRequestCountsAttempts() {
        PlanningRequest r = PlanningRequest.first(Action.of("x", Map.of()), ServiceCatalog.empty());
        PlanningRequest next = r.next(List.of(new PlanProblem("CYCLE", "task1", "/tasks/1", "cycle")));
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(next.previousProblems().get(0).toJson()).containsEntry("code", "CYCLE").containsEntry("taskId", "task1");
        assertThatThrownBy(() -> new PlanningRequest(r.action(), r.catalog(), 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replanningIsOptInAndBounded() {
        Action plain = Action.of("x", Map.of());
        assertThat(plain.replans()).isFalse();
        assertThat(plain.maxRevisions()).isZero();
        Action replans = Action.builder("x").replanOnFailure().build();
        assertThat(replans.maxRevisions()).isEqualTo(Action.DEFAULT_MAX_REVISIONS);
        assertThat(replans).isNotEqualTo(plain);
        assertThat(Action.builder("x").replanOnFailure(5).build().maxRevisions()).isEqualTo(5);
        assertThat(Action.builder("x").replanOnFailure(0).build().replans()).isFalse();
        assertThatThrownBy(() -> Action.builder("x").replanOnFailure(-1)).hasMessageContaining("maxRevisions");
        assertThatThrownBy(() -> Action.builder("x").replanOnFailure(101)).hasMessageContaining("maxRevisions");
    }

    @Test
    void aRevisionRequestCarriesTheCompletedWorkAndTheFailure() {
        Revision rev = new Revision(TEMPLATE, 1,
                List.of(new Revision.CompletedTask("task1", "svc", "r/task1", Map.of("a", 1), Map.of("out", 2))),
                new Revision.FailedTask("task2", "svc2", null, "HANDLER_ERROR", null, 3));
        PlanningRequest r = PlanningRequest.revise(Action.of("x", Map.of()), ServiceCatalog.empty(), rev);
        assertThat(r.isRevision()).isTrue();
        assertThat(r.attempt()).isEqualTo(1);
        PlanningRequest next = r.next(List.of(new PlanProblem("CYCLE", null, "", "loop")));
        assertThat(next.revision()).isSameAs(rev);
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(rev.completedTask("task1").orElseThrow().output()).isEqualTo(Map.of("out", 2));
        assertThat(rev.completedTask("task2")).isEmpty();
        assertThat(rev.failure().message()).isEmpty();
        assertThat(PlanningRequest.first(Action.of("x", Map.of()), ServiceCatalog.empty()).isRevision()).isFalse();
        assertThatThrownBy(() -> new Revision(TEMPLATE, 0, List.of(), rev.failure()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
