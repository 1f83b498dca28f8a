package dev.baton;

import dev.baton.event.RunEvent;
import dev.baton.event.WebhookAttempted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.transport.WebhookTransport;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Result webhooks through the engine, with a scripted transport and manual time. */
class ResultWebhookTest {

    private static final URI HOOK = URI.create("https://hooks.example.org/runs");

    /** Plays a script of outcomes, one per attempt, retrying on the manual scheduler after each RETRYING. */
    final class ScriptedTransport implements WebhookTransport {
        final Deque<WebhookOutcome> script = new ArrayDeque<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<RunResult> results = new CopyOnWriteArrayList<>();
        volatile boolean dead;  // the process it lived in is gone: scheduled retries never run

        ScriptedTransport(WebhookOutcome... outcomes) {
            script.addAll(List.of(outcomes));
        }

        @Override
        public CompletionStage<WebhookAttempt> deliver(URI destination, RunResult result, int firstAttempt,
                                                       Consumer<? super WebhookAttempt> onAttempt) {
            results.add(result);
            CompletableFuture<WebhookAttempt> done = new CompletableFuture<>();
            attempt(destination, result.runId(), firstAttempt, onAttempt, done);
            return done;
        }

        private void attempt(URI destination, String runId, int n, Consumer<? super WebhookAttempt> onAttempt,
                             CompletableFuture<WebhookAttempt> done) {
            if (dead || done.isCancelled()) {
                return; // the process is gone, or the orchestrator closed and cancelled the delivery
            }
            calls.add(runId + "#" + n);
            WebhookOutcome o = script.isEmpty() ? WebhookOutcome.DELIVERED : script.poll();
            Duration next = o == WebhookOutcome.RETRYING ? Duration.ofSeconds(10) : null;
            WebhookAttempt a = new WebhookAttempt(runId, destination, n, o, o == WebhookOutcome.DELIVERED ? 204 : 503,
                    o == WebhookOutcome.DELIVERED ? null : "HTTP 503", time.instant(), next);
            if (next != null) {
                time.schedule(next, () -> attempt(destination, runId, n + 1, onAttempt, done));
            }
            onAttempt.accept(a);
            if (a.isFinal()) {
                done.complete(a);
            }
        }
    }

    private final ManualTime time = new ManualTime();
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<RunEvent> heard = new CopyOnWriteArrayList<>();

    private Orchestrator.Builder builder() {
        return Orchestrator.builder().time(time).store(store).service("svc", ctx -> Map.of("ok", true))
                .listener(heard::add);
    }

    private static Plan plan() {
        return Plan.builder().task("a", "svc", Map.of()).build();
    }

    private List<WebhookAttempted> attempts(String runId) {
        return store.events(runId).stream().filter(e -> e instanceof WebhookAttempted)
                .map(e -> (WebhookAttempted) e).toList();
    }

    @Test
    void aRunEndedByTheReplannerIsDeliveredOnceAndNotAgainAfterARestart() {
        ScriptedTransport t = new ScriptedTransport(WebhookOutcome.DELIVERED);
        Plan failing = Plan.builder().params(Map.of()).task("a", "broken", Map.of()).build();
        dev.baton.planner.Planner planner = req -> req.isRevision()
                ? dev.baton.planner.NotActionable.plan(req.action().params(), "no other way") : failing;
        try (Orchestrator o = builder().webhooks(t).planner(planner)
                .service("broken", ctx -> {
                    throw new NonRetryableException("down for good");
                }).build()) {
            RunResult r = o.submit(dev.baton.planner.Action.builder("do it").runId("rp").webhook(HOOK)
                    .replanOnFailure(1).build()).await(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(t.calls).containsExactly("rp#1");
        }
        // the end the re-planner wrote is the one delivered
        List<RunEvent> log = store.events("rp");
        RunEvent end = log.stream().filter(RunEvent::isTerminal).reduce((x, y) -> y).orElseThrow();
        assertThat(attempts("rp")).singleElement().satisfies(a -> assertThat(a.endSeq()).isEqualTo(end.seq()));
        assertThat(LogInvariants.check(log)).isEmpty();

        // a restart owes nothing: the delivery is not sent again
        ScriptedTransport after = new ScriptedTransport(WebhookOutcome.DELIVERED);
        try (Orchestrator o = builder().webhooks(after).planner(planner)
                .service("broken", ctx -> Map.of()).build()) {
            time.advance(Duration.ofMinutes(1));
            assertThat(after.calls).isEmpty();
        }
        assertThat(attempts("rp")).hasSize(1);
    }

    @Test
    void anEndedRunsResultIsDeliveredOnceAndTheAttemptRecordedAfterTheEnd() {
        ScriptedTransport t = new ScriptedTransport(WebhookOutcome.DELIVERED);
        try (Orchestrator o = builder().webhooks(t).build()) {
            RunResult r = o.submit(plan(), RunOptions.builder().runId("w1").webhook(HOOK).build())
                    .await(Duration.ofSeconds(5));
            assertThat(r.isCompleted()).isTrue();
            assertThat(t.calls).containsExactly("w1#1");
            assertThat(t.results).containsExactly(r);
            // a run without a webhook is not delivered
            o.submit(plan(), RunOptions.builder().runId("plain").build()).await(Duration.ofSeconds(5));
            assertThat(t.calls).containsExactly("w1#1");
        }
        List<RunEvent> log = store.events("w1");
        assertThat(log.get(log.size() - 2).isTerminal()).isTrue();
        assertThat(attempts("w1")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookAttempted.DELIVERED);
            assertThat(a.endSeq()).isEqualTo(log.get(log.size() - 2).seq());
            assertThat(a.attempt()).isEqualTo(1);
            assertThat(a.destination()).isEqualTo(HOOK.toString());
            assertThat(a.status()).isEqualTo(204);
        });
        assertThat(heard).filteredOn(e -> e instanceof WebhookAttempted).hasSize(1);
        assertThat(store.run("w1").orElseThrow().state().isTerminal()).isTrue();
        assertThat(store.events("w1").get(0)).isInstanceOfSatisfying(dev.baton.event.RunCreated.class,
                c -> assertThat(c.settings().attributes()).containsEntry("webhook", HOOK.toString()));
        assertThat(LogInvariants.check(store.events("w1"))).isEmpty();
    }

    @Test
    void everyRetryIsRecordedWithWhenTheNextIsDue() {
        ScriptedTransport t = new ScriptedTransport(WebhookOutcome.RETRYING, WebhookOutcome.RETRYING,
                WebhookOutcome.DELIVERED);
        try (Orchestrator o = builder().webhooks(t).build()) {
            o.submit(plan(), RunOptions.builder().runId("w2").webhook(HOOK).build()).await(Duration.ofSeconds(5));
            assertThat(attempts("w2")).hasSize(1);
            time.advance(Duration.ofSeconds(10));
            time.advance(Duration.ofSeconds(10));
        }
        assertThat(t.calls).containsExactly("w2#1", "w2#2", "w2#3");
        List<WebhookAttempted> as = attempts("w2");
        assertThat(as).extracting(WebhookAttempted::attempt, WebhookAttempted::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, WebhookAttempted.RETRYING),
                org.assertj.core.groups.Tuple.tuple(2, WebhookAttempted.RETRYING),
                org.assertj.core.groups.Tuple.tuple(3, WebhookAttempted.DELIVERED));
        assertThat(as.get(0).nextAttemptAt()).isEqualTo(as.get(0).at().plusSeconds(10));
        assertThat(as.get(2).nextAttemptAt()).isNull();
        assertThat(LogInvariants.check(store.events("w2"))).isEmpty();
    }

    @Test
    void aDeliveryOwedAtShutdownIsTakenUpAfterARestartContinuingTheCount() {
        ScriptedTransport first = new ScriptedTransport(WebhookOutcome.RETRYING);
        Orchestrator o1 = builder().webhooks(first).build();
        o1.submit(plan(), RunOptions.builder().runId("w3").webhook(HOOK).build()).await(Duration.ofSeconds(5));
        assertThat(first.calls).containsExactly("w3#1");
        o1.close();
        first.dead = true;
        time.advance(Duration.ofSeconds(4));  // the process is gone; its scheduled retry with it
        ManualTime later = time;

        ScriptedTransport second = new ScriptedTransport(WebhookOutcome.DELIVERED);
        try (Orchestrator o2 = Orchestrator.builder().time(later).store(store).service("svc", ctx -> null)
                .webhooks(second).build()) {           // recovers at build
            assertThat(second.calls).as("waits out what is left of the backoff").isEmpty();
            time.advance(Duration.ofSeconds(6));
            assertThat(second.calls).containsExactly("w3#2");
            assertThat(second.results).singleElement().satisfies(r -> {
                assertThat(r.runId()).isEqualTo("w3");
                assertThat(r.output("a")).isEqualTo(Map.of("ok", true));
            });
            o2.recover();
            assertThat(second.calls).as("nothing owed any more").hasSize(1);
        }
        assertThat(attempts("w3")).extracting(WebhookAttempted::attempt, WebhookAttempted::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, WebhookAttempted.RETRYING),
                org.assertj.core.groups.Tuple.tuple(2, WebhookAttempted.DELIVERED));
        assertThat(LogInvariants.check(store.events("w3"))).isEmpty();
    }

    @Test
    void closeStopsADeliveryGoingOnAndTheNextOrchestratorTakesItUpOnce() {
        // the same process goes on (a server that rebuilds its orchestrator): the closed one's delivery must not go
        // on beside the new one's, nor write to the store after close
        ScriptedTransport t = new ScriptedTransport(WebhookOutcome.RETRYING);
        Orchestrator o1 = builder().webhooks(t).build();
        o1.submit(plan(), RunOptions.builder().runId("w10").webhook(HOOK).build()).await(Duration.ofSeconds(5));
        o1.close();
        time.advance(Duration.ofSeconds(10));
        assertThat(t.calls).as("no attempt after close").containsExactly("w10#1");
        assertThat(attempts("w10")).extracting(WebhookAttempted::outcome).containsExactly(WebhookAttempted.RETRYING);

        try (Orchestrator o2 = builder().webhooks(t).build()) {
            time.advance(Duration.ofSeconds(10));
        }
        assertThat(t.calls).containsExactly("w10#1", "w10#2");
        assertThat(attempts("w10")).extracting(WebhookAttempted::attempt, WebhookAttempted::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, WebhookAttempted.RETRYING),
                org.assertj.core.groups.Tuple.tuple(2, WebhookAttempted.DELIVERED));
        assertThat(LogInvariants.check(store.events("w10"))).isEmpty();
    }

    @Test
    void aRunThatEndedJustBeforeACrashIsDeliveredAtRecovery() {
        // the log as a process leaves it when it dies between the durable end and the first attempt
        Plan plan = plan();
        store.append("w7", 0, List.of(
                new dev.baton.event.RunCreated("w7", 1, time.instant(), plan, new dev.baton.event.RunSettings(null, 0,
                        "GROUPS", "FAIL_FAST", null, Map.of("webhook", HOOK.toString()))),
                new dev.baton.event.RunCancelled("w7", 2, time.instant(), "stopped")), null, time.instant());
        ScriptedTransport t = new ScriptedTransport();
        try (Orchestrator o = builder().webhooks(t).build()) {
            assertThat(t.calls).containsExactly("w7#1");
            assertThat(t.results).singleElement().extracting(RunResult::status).isEqualTo(RunStatus.CANCELLED);
        }
        assertThat(attempts("w7")).extracting(WebhookAttempted::outcome).containsExactly(WebhookAttempted.DELIVERED);
    }

    @Test
    void aLateDeliveryOfAnEarlierEndDoesNotCountForTheLatestEnd() {
        java.time.Instant at = time.instant();
        dev.baton.event.ErrorInfo boom = dev.baton.event.ErrorInfo.of("HANDLER_ERROR", "boom");
        store.append("w10", 0, List.of(
                new dev.baton.event.RunCreated("w10", 1, at, plan(), new dev.baton.event.RunSettings(null, 0,
                        "GROUPS", "FAIL_FAST", null, Map.of("webhook", HOOK.toString()))),
                new dev.baton.event.TaskStarted("w10", 2, at, "a", "w10/a", 1, Map.of()),
                new dev.baton.event.TaskFailed("w10", 3, at, "a", "w10/a", 1, boom, false),
                new dev.baton.event.TaskDeadLettered("w10", 4, at, "a", "w10/a", "svc", Map.of(),
                        List.of(new dev.baton.event.FailedAttempt(1, at, boom))),
                new dev.baton.event.RunFailed("w10", 5, at, "a", boom),
                new dev.baton.event.TaskRedriven("w10", 6, at, "a", "w10/a"),
                new dev.baton.event.TaskStarted("w10", 7, at, "a", "w10/a", 2, Map.of()),
                new dev.baton.event.TaskCompleted("w10", 8, at, "a", "w10/a", 2, "ok", false),
                new dev.baton.event.RunCompleted("w10", 9, at),
                new WebhookAttempted("w10", 10, at, 5, HOOK.toString(), 2, WebhookAttempted.DELIVERED, 204, null,
                        null)), null, at);
        assertThat(LogInvariants.check(store.events("w10"))).isEmpty();
        ScriptedTransport t = new ScriptedTransport();
        try (Orchestrator o = builder().webhooks(t).build()) {
            assertThat(t.calls).containsExactly("w10#1");
            assertThat(t.results).singleElement().extracting(RunResult::status).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(attempts("w10")).extracting(WebhookAttempted::endSeq).containsExactly(5L, 9L);
    }

    @Test
    void withLeasesOnlyTheInstanceHoldingTheRunTakesUpItsDelivery() {
        Plan plan = plan();
        store.append("w8", 0, List.of(
                new dev.baton.event.RunCreated("w8", 1, time.instant(), plan, new dev.baton.event.RunSettings(null, 0,
                        "GROUPS", "FAIL_FAST", null, Map.of("webhook", HOOK.toString()))),
                new dev.baton.event.RunCompleted("w8", 2, time.instant())), null, time.instant());
        assertThat(store.tryLease("w8", "other", Duration.ofMinutes(1), time.instant())).isPresent();
        ScriptedTransport t = new ScriptedTransport();
        try (Orchestrator o = builder().instanceId("me").webhooks(t).build()) {
            assertThat(t.calls).as("another live instance holds the run").isEmpty();
            time.advance(Duration.ofMinutes(2));          // its lease expires
            o.recover();
            assertThat(t.calls).containsExactly("w8#1");
            // the delivery is done: the lease is given back
            assertThat(store.tryLease("w8", "other", Duration.ofMinutes(1), time.instant())).isPresent();
        }
        assertThat(attempts("w8")).extracting(WebhookAttempted::outcome).containsExactly(WebhookAttempted.DELIVERED);
    }

    @Test
    void attemptsATransportReportsOutOfOrderAreLeftOutSoTheLastRecordedIsTheDeliverysLast() {
        java.time.Instant at = time.instant();
        WebhookTransport jumbled = (d, r, n, report) -> {
            report.accept(new WebhookAttempt(r.runId(), d, 1, WebhookOutcome.RETRYING, 503, "HTTP 503", at,
                    Duration.ofSeconds(1)));
            report.accept(new WebhookAttempt(r.runId(), d, 2, WebhookOutcome.RETRYING, 503, "HTTP 503", at,
                    Duration.ofSeconds(1)));
            WebhookAttempt last = new WebhookAttempt(r.runId(), d, 3, WebhookOutcome.FAILED, 503, "HTTP 503", at,
                    null);
            report.accept(last);
            // what a transport that schedules a retry before reporting the attempt before it could do
            report.accept(new WebhookAttempt(r.runId(), d, 2, WebhookOutcome.RETRYING, 503, "HTTP 503", at,
                    Duration.ofSeconds(1)));
            report.accept(new WebhookAttempt(r.runId(), d, 3, WebhookOutcome.FAILED, 503, "HTTP 503", at, null));
            report.accept(new WebhookAttempt(r.runId(), d, 4, WebhookOutcome.RETRYING, 503, "HTTP 503", at,
                    Duration.ofSeconds(1)));
            return CompletableFuture.completedFuture(last);
        };
        try (Orchestrator o = builder().webhooks(jumbled).build()) {
            o.submit(plan(), RunOptions.builder().runId("wj").webhook(HOOK).build()).await(Duration.ofSeconds(5));
        }
        assertThat(attempts("wj")).extracting(WebhookAttempted::attempt, WebhookAttempted::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, WebhookAttempted.RETRYING),
                org.assertj.core.groups.Tuple.tuple(2, WebhookAttempted.RETRYING),
                org.assertj.core.groups.Tuple.tuple(3, WebhookAttempted.FAILED));
        ScriptedTransport t = new ScriptedTransport();
        try (Orchestrator o = builder().webhooks(t).build()) {
            assertThat(t.calls).as("the delivery ended: nothing owed at recovery").isEmpty();
        }
        assertThat(LogInvariants.check(store.events("wj"))).isEmpty();
    }

    @Test
    void aTransportThatThrowsIsRecordedAsAFinalFailure() {
        WebhookTransport broken = (d, r, n, c) -> {
            throw new IllegalStateException("boom");
        };
        try (Orchestrator o = builder().webhooks(broken).build()) {
            o.submit(plan(), RunOptions.builder().runId("w4").webhook(HOOK).build()).await(Duration.ofSeconds(5));
        }
        assertThat(attempts("w4")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookAttempted.FAILED);
            assertThat(a.error()).contains("IllegalStateException").doesNotContain("boom");
        });
        ScriptedTransport t = new ScriptedTransport();
        try (Orchestrator o = builder().webhooks(t).build()) {
            assertThat(t.calls).as("a final failure is not retried at recovery").isEmpty();
        }
    }

    @Test
    void aTransportThatReturnsNoStageIsRecordedAsFailedAndTheRunStillEnds() {
        WebhookTransport noStage = (d, r, n, c) -> null;
        try (Orchestrator o = builder().webhooks(noStage).build()) {
            RunResult r = o.submit(plan(), RunOptions.builder().runId("w9").webhook(HOOK).build())
                    .await(Duration.ofSeconds(5)); // before the fix: the handle never completed
            assertThat(r.isCompleted()).isTrue();
        }
        assertThat(attempts("w9")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookAttempted.FAILED);
            assertThat(a.error()).contains("the webhook transport failed");
        });
    }

    @Test
    void withoutAWebhookTransportTheWebhookIsRecordedAsFailed() {
        try (Orchestrator o = builder().build()) {
            RunResult r = o.submit(plan(), RunOptions.builder().runId("w5").webhook(HOOK).build())
                    .await(Duration.ofSeconds(5));
            assertThat(r.isCompleted()).isTrue();
        }
        assertThat(attempts("w5")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookAttempted.FAILED);
            assertThat(a.error()).contains("no webhook transport");
        });
    }

    /** One attempt per task; svc fails (and is dead-lettered) the first time and answers "ok" after that. */
    private Orchestrator failingOnce(ScriptedTransport t) {
        int[] calls = {0};
        return Orchestrator.builder().time(time).store(store).webhooks(t)
                .retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
                .service("svc", ctx -> {
                    if (calls[0]++ == 0) {
                        throw new RetryableException("first time");
                    }
                    return "ok";
                }).build();
    }

    @Test
    void aRedrivenRunIsDeliveredAgainWhenItEndsAgain() {
        ScriptedTransport t = new ScriptedTransport(WebhookOutcome.DELIVERED, WebhookOutcome.DELIVERED);
        try (Orchestrator o = failingOnce(t)) {
            RunResult r1 = o.submit(plan(), RunOptions.builder().runId("w6").webhook(HOOK).build())
                    .await(Duration.ofSeconds(5));
            assertThat(r1.status()).isEqualTo(RunStatus.FAILED);
            RunResult r2 = o.redrive("w6", "a").await(Duration.ofSeconds(5));
            assertThat(r2.isCompleted()).isTrue();
            assertThat(t.results).extracting(RunResult::status).containsExactly(RunStatus.FAILED, RunStatus.COMPLETED);
        }
        assertThat(attempts("w6")).hasSize(2);
        assertThat(LogInvariants.check(store.events("w6"))).isEmpty();
    }

    @Test
    void aRunThatEndsAgainWhileItsFirstEndIsStillBeingDeliveredIsDeliveredAfterIt() {
        ScriptedTransport t = new ScriptedTransport(WebhookOutcome.RETRYING, WebhookOutcome.DELIVERED,
                WebhookOutcome.DELIVERED);
        try (Orchestrator o = failingOnce(t)) {
            o.submit(plan(), RunOptions.builder().runId("w9").webhook(HOOK).build()).await(Duration.ofSeconds(5));
            assertThat(o.redrive("w9", "a").await(Duration.ofSeconds(5)).isCompleted()).isTrue();
            assertThat(t.calls).as("the second end waits for the first delivery").containsExactly("w9#1");
            time.advance(Duration.ofSeconds(10));
            assertThat(t.calls).containsExactly("w9#1", "w9#2", "w9#1");
            assertThat(t.results).extracting(RunResult::status).containsExactly(RunStatus.FAILED, RunStatus.COMPLETED);
        }
        assertThat(attempts("w9")).extracting(WebhookAttempted::outcome).containsExactly(WebhookAttempted.RETRYING,
                WebhookAttempted.DELIVERED, WebhookAttempted.DELIVERED);
        List<Long> ends = store.events("w9").stream().filter(RunEvent::isTerminal).map(RunEvent::seq).toList();
        assertThat(ends).hasSize(2);
        assertThat(attempts("w9")).extracting(WebhookAttempted::endSeq)
                .containsExactly(ends.get(0), ends.get(0), ends.get(1));
        assertThat(LogInvariants.check(store.events("w9"))).isEmpty();
    }

    @Test
    void anActionsWebhookIsDeliveredAndTakesPrecedenceOverTheOptions() {
        ScriptedTransport t = new ScriptedTransport();
        URI actionHook = URI.create("https://hooks.example.org/action");
        try (Orchestrator o = builder().webhooks(t).planner(dev.baton.planner.FixedPlanner.of(plan())).build()) {
            dev.baton.planner.Action action = dev.baton.planner.Action.builder("look the customer up").runId("act-w")
                    .webhook(actionHook).build();
            assertThat(o.submit(action, RunOptions.builder().webhook(HOOK).build()).await(Duration.ofSeconds(5))
                    .isCompleted()).isTrue();
            dev.baton.planner.Action plain = dev.baton.planner.Action.builder("look the customer up").runId("act-o")
                    .build();
            o.submit(plain, RunOptions.builder().webhook(HOOK).build()).await(Duration.ofSeconds(5));
        }
        assertThat(attempts("act-w")).singleElement().extracting(WebhookAttempted::destination)
                .isEqualTo(actionHook.toString());
        assertThat(attempts("act-o")).singleElement().extracting(WebhookAttempted::destination)
                .isEqualTo(HOOK.toString());
    }

    @Test
    void aWebhookMustBeAnAbsoluteHttpUrl() {
        assertThatThrownBy(() -> RunOptions.builder().webhook(URI.create("/relative")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("webhook");
        assertThatThrownBy(() -> RunOptions.builder().webhook(URI.create("ftp://h.example/x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RunOptions.builder().webhook(HOOK).build().webhook()).contains(HOOK);
        assertThat(RunOptions.builder().webhook(HOOK).build().toString()).contains(HOOK.toString());
        assertThat(RunOptions.defaults().webhook()).isEmpty();
    }
}
