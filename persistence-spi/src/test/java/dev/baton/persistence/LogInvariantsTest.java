package dev.baton.persistence;

import dev.baton.event.ErrorInfo;
import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.event.TaskStarted;
import dev.baton.event.WebhookAttempted;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogInvariantsTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final Plan PLAN = Plan.builder().task("t", "svc", Map.of()).build();

    private static RunCreated created(String run) {
        return new RunCreated(run, 1, T, PLAN, new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null));
    }

    private static TaskStarted started(String run, long seq, int attempt) {
        return new TaskStarted(run, seq, T, "t", run + "/t", attempt, Map.of());
    }

    private static TaskCompleted completed(String run, long seq, int attempt) {
        return new TaskCompleted(run, seq, T, "t", run + "/t", attempt, "out", false);
    }

    private static List<String> rules(List<RunEvent> log) {
        return LogInvariants.check(log).stream().map(LogInvariants.Violation::rule).toList();
    }

    @Test
    void aSoundLogHasNoViolations() {
        assertThat(LogInvariants.check(List.of(created("r"), started("r", 2, 1), completed("r", 3, 1),
                new RunCompleted("r", 4, T), created("s")))).isEmpty();
    }

    @Test
    void gapsAndDuplicatesAreReported() {
        assertThat(rules(List.of(created("r"), started("r", 3, 1)))).containsExactly(LogInvariants.SEQ_GAP);
        assertThat(rules(List.of(created("r"), started("r", 2, 1), started("r", 2, 2))))
                .containsExactly(LogInvariants.SEQ_GAP);
    }

    @Test
    void theLogMustStartWithExactlyOneCreation() {
        assertThat(rules(List.of(started("r", 1, 1)))).containsExactly(LogInvariants.NOT_CREATED_FIRST);
        RunCreated second = new RunCreated("r", 2, T, PLAN, created("r").settings());
        assertThat(rules(List.of(created("r"), second))).containsExactly(LogInvariants.DUPLICATE_CREATED);
    }

    @Test
    void nothingFollowsATerminalEvent() {
        assertThat(rules(List.of(created("r"), new RunCompleted("r", 2, T), started("r", 3, 1))))
                .containsExactly(LogInvariants.AFTER_TERMINAL);
        assertThat(rules(List.of(created("r"), new RunCompleted("r", 2, T),
                new RunFailed("r", 3, T, null, ErrorInfo.of("X", "x")))))
                .containsExactly(LogInvariants.AFTER_TERMINAL);
    }

    @Test
    void outcomesMustMatchAStartOfTheSameAttempt() {
        assertThat(rules(List.of(created("r"), completed("r", 2, 1)))).containsExactly(LogInvariants.UNMATCHED_OUTCOME);
        assertThat(rules(List.of(created("r"), started("r", 2, 1),
                new TaskFailed("r", 3, T, "t", "r/t", 2, ErrorInfo.of("X", "x"), false))))
                .containsExactly(LogInvariants.UNMATCHED_OUTCOME);
    }

    private static WebhookAttempted webhook(String run, long seq, long endSeq, int attempt, String outcome) {
        return new WebhookAttempted(run, seq, T, endSeq, "https://hooks.example/x", attempt, outcome, 503, "HTTP 503",
                WebhookAttempted.RETRYING.equals(outcome) ? T.plusSeconds(1) : null);
    }

    @Test
    void webhookAttemptsFollowTheEndAndOnlyTheEnd() {
        assertThat(rules(List.of(created("r"), started("r", 2, 1), completed("r", 3, 1), new RunCompleted("r", 4, T),
                webhook("r", 5, 4, 1, WebhookAttempted.RETRYING), webhook("r", 6, 4, 2, WebhookAttempted.DELIVERED))))
                .isEmpty();
        assertThat(rules(List.of(created("r"), webhook("r", 2, 1, 1, WebhookAttempted.DELIVERED))))
                .containsExactly(LogInvariants.WEBHOOK_BEFORE_END);
        assertThat(rules(List.of(created("r"), new RunCompleted("r", 2, T), webhook("r", 3, 1, 1, WebhookAttempted.FAILED))))
                .as("endSeq names the terminal event").containsExactly(LogInvariants.WEBHOOK_BEFORE_END);
        // a webhook attempt does not end the run a second time, and does not license other events after the end
        assertThat(rules(List.of(created("r"), new RunCompleted("r", 2, T), webhook("r", 3, 2, 1, WebhookAttempted.FAILED),
                started("r", 4, 1)))).containsExactly(LogInvariants.AFTER_TERMINAL);
        // an earlier end's delivery may still be retrying after a redrive reopened the run
        assertThat(rules(List.of(created("r"), started("r", 2, 1),
                new TaskFailed("r", 3, T, "t", "r/t", 1, ErrorInfo.of("X", "x"), false),
                new RunFailed("r", 4, T, "t", ErrorInfo.of("X", "x")), new TaskRedriven("r", 5, T, "t", "r/t"),
                webhook("r", 6, 4, 1, WebhookAttempted.DELIVERED), started("r", 7, 2), completed("r", 8, 2),
                new RunCompleted("r", 9, T), webhook("r", 10, 9, 1, WebhookAttempted.DELIVERED)))).isEmpty();
        assertThatThrownBy(() -> webhook("r", 2, 1, 0, WebhookAttempted.FAILED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> webhook("r", 2, 0, 1, WebhookAttempted.FAILED)).isInstanceOf(IllegalArgumentException.class);
        assertThat(webhook("r", 2, 1, 1, WebhookAttempted.RETRYING).isFinal()).isFalse();
        assertThat(webhook("r", 2, 1, 1, WebhookAttempted.REFUSED).isFinal()).isTrue();
    }

    @Test
    void aTaskMayFailBeforeItsFirstAttempt() {
        assertThat(rules(List.of(created("r"), new TaskFailed("r", 2, T, "t", "r/t", 0,
                ErrorInfo.of("SERVICE_UNHEALTHY", "x"), false), new RunFailed("r", 3, T, "t", ErrorInfo.of("X", "x")))))
                .isEmpty();
    }

    @Test
    void runsAreCheckedSeparately() {
        List<LogInvariants.Violation> v = LogInvariants.check(List.of(created("a"), created("b"), completed("b", 2, 1)));
        assertThat(v).singleElement().satisfies(x -> {
            assertThat(x.runId()).isEqualTo("b");
            assertThat(x.seq()).isEqualTo(2);
        });
    }

    @Test
    void checkAppendRejectsMalformedBatches() {
        LogInvariants.checkAppend("r", 0, List.of(created("r")));
        LogInvariants.checkAppend("r", 1, List.of(started("r", 2, 1), completed("r", 3, 1)));
        assertThatThrownBy(() -> LogInvariants.checkAppend("r", 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogInvariants.checkAppend("r", -1, List.of(created("r"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogInvariants.checkAppend("r", 0, List.of(started("r", 1, 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogInvariants.checkAppend("r", 1, List.of(started("r", 3, 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogInvariants.checkAppend("r", 1, List.of(started("x", 2, 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRecordFoldFollowsTheLog() {
        RunRecord r = RunRecord.created(created("r"));
        assertThat(r).isEqualTo(new RunRecord("r", RunState.ACTIVE, T, null, 1, null, 1));
        r = r.after(started("r", 2, 1)).after(new RunCompleted("r", 3, T.plusSeconds(1)));
        assertThat(r).isEqualTo(new RunRecord("r", RunState.COMPLETED, T, T.plusSeconds(1), 3, null, 1));
        r = r.after(webhook("r", 4, 3, 1, WebhookAttempted.DELIVERED));
        assertThat(r).isEqualTo(new RunRecord("r", RunState.COMPLETED, T, T.plusSeconds(1), 4, null, 1));
    }

    @Test
    void aRunsTaskCountLeavesOutTheParametersAndOnlyThem() {
        RunSettings settings = new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null);
        Plan withParams = Plan.builder().params(Map.of("k", 1)).task("a", "svc", Map.of("x", "$task0.k"))
                .task("b", "svc", Map.of()).build();
        Plan without = Plan.builder().task("a", "svc", Map.of()).task("b", "svc", Map.of())
                .task("c", "svc", Map.of()).build();
        assertThat(RunRecord.created(new RunCreated("p", 1, T, withParams, settings)).taskCount()).isEqualTo(2);
        assertThat(RunRecord.created(new RunCreated("q", 1, T, without, settings)).taskCount()).isEqualTo(3);
    }

    private static PlanRevised revised(String run, long seq, int version, List<String> kept) {
        Plan p = Plan.builder().task("t", "svc", Map.of()).task("u", "svc2", Map.of()).build();
        return new PlanRevised(run, seq, T, version, p, "t", kept, Map.of("t", run + "/t", "u", run + "/u"),
                Map.of("svc", 1));
    }

    @Test
    void revisionsAreAcceptedAndRestartTheTasksTheyDoNotKeep() {
        TaskStarted u = new TaskStarted("r", 6, T, "u", "r/u", 1, Map.of());
        TaskCompleted uDone = new TaskCompleted("r", 7, T, "u", "r/u", 1, "u", false);
        List<RunEvent> log = List.of(created("r"), started("r", 2, 1), completed("r", 3, 1),
                new PlanRevisionRejected("r", 4, T, 1, "x", null, List.of()), revised("r", 5, 2, List.of("t")),
                u, uDone, new RunCompleted("r", 8, T));
        assertThat(LogInvariants.check(log)).isEmpty();

        // a revision that keeps nothing forgets the old starts: a completion needs a start under the new version
        assertThat(rules(List.of(created("r"), started("r", 2, 1), revised("r", 3, 2, List.of()),
                completed("r", 4, 1)))).containsExactly(LogInvariants.UNMATCHED_OUTCOME);
    }

    @Test
    void revisionVersionsAndKeptTasksAreChecked() {
        assertThat(rules(List.of(created("r"), revised("r", 2, 3, List.of()))))
                .containsExactly(LogInvariants.PLAN_VERSION);
        assertThat(rules(List.of(created("r"), revised("r", 2, 2, List.of()), revised("r", 3, 2, List.of()))))
                .containsExactly(LogInvariants.PLAN_VERSION);
        assertThat(rules(List.of(created("r"), started("r", 2, 1), revised("r", 3, 2, List.of("t")))))
                .containsExactly(LogInvariants.KEPT_NOT_COMPLETED);
        assertThat(rules(List.of(created("r"), started("r", 2, 1), completed("r", 3, 1), new RunCompleted("r", 4, T),
                revised("r", 5, 2, List.of("t"))))).containsExactly(LogInvariants.AFTER_TERMINAL);
        assertThatThrownBy(() -> revised("r", 2, 1, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
