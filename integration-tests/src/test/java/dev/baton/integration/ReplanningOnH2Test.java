package dev.baton.integration;

import dev.baton.NonRetryableException;
import dev.baton.Orchestrator;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.TaskHandler;
import dev.baton.TaskView;
import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunEvent;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.Planner;
import dev.baton.store.jdbc.JdbcRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A re-planned run on the embedded database: its revision events are written, read back and folded after a restart. */
class ReplanningOnH2Test {

    @Test
    void aRevisedRunIsReadBackFromTheDatabaseByANewOrchestrator(@TempDir Path dir) {
        Plan original = Plan.builder().task("a", "fetch", Map.of("id", "$task0.id"))
                .task("b", "flaky", Map.of("who", "$a.name")).build();
        Plan invalid = Plan.builder().task("a", "fetch", Map.of("id", "$task0.id")).task("x", "nope", Map.of()).build();
        Plan revised = Plan.builder().task("a", "fetch", Map.of("id", "$task0.id"))
                .task("b2", "backup", Map.of("who", "$a.name")).build();
        AtomicInteger revisions = new AtomicInteger();
        Planner planner = req -> !req.isRevision() ? original : revisions.incrementAndGet() == 1 ? invalid : revised;
        AtomicInteger fetches = new AtomicInteger();
        TaskHandler fetch = ctx -> {
            fetches.incrementAndGet();
            return Map.of("name", "Ada");
        };
        Action action = Action.builder("assist").param("id", "C1").runId("jdbc-rev").replanOnFailure().build();

        try (JdbcRunStore store = JdbcRunStore.embedded(dir);
             Orchestrator o = Orchestrator.builder().store(store).planner(planner)
                     .service("fetch", fetch)
                     .service("flaky", ctx -> {
                         throw new NonRetryableException("down");
                     })
                     .service("backup", ctx -> Map.of("via", "backup", "for", ctx.input().get("who")))
                     .build()) {
            RunResult r = o.submit(action).await(Duration.ofSeconds(20));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("b2")).isEqualTo(Map.of("via", "backup", "for", "Ada"));
        }
        try (JdbcRunStore store = JdbcRunStore.embedded(dir);
             Orchestrator o = Orchestrator.builder().store(store).planner(planner)
                     .service("fetch", fetch).service("flaky", ctx -> "fine now").service("backup", ctx -> "x")
                     .build()) {
            List<RunEvent> log = store.events("jdbc-rev");
            assertThat(log).filteredOn(e -> e instanceof PlanRevisionRejected).hasSize(1);
            PlanRevised pr = (PlanRevised) log.stream().filter(e -> e instanceof PlanRevised).findFirst().orElseThrow();
            assertThat(pr.plan()).isEqualTo(FixedPlanner.withParams(revised, Map.of("id", "C1")));
            assertThat(pr.kept()).containsExactly("a");
            assertThat(pr.serviceVersions()).containsEntry("backup", 1);
            assertThat(LogInvariants.check(log)).isEmpty();
            RunView v = o.inspect("jdbc-rev").orElseThrow();
            assertThat(v.planVersion()).isEqualTo(2);
            assertThat(v.tasks()).extracting(TaskView::taskId).containsExactly("a", "b2");
            assertThat(v.serviceVersions()).containsEntry("backup", 1).containsEntry("fetch", 1);
            // resubmitting the action hands back the stored outcome; nothing runs again
            assertThat(o.submit(action).await(Duration.ofSeconds(5)).output("b2"))
                    .isEqualTo(Map.of("via", "backup", "for", "Ada"));
            assertThat(fetches).hasValue(1);
        }
    }
}
