package dev.baton.internal.engine;

import dev.baton.BatonException;
import dev.baton.OrchestratorClosedException;
import dev.baton.RunError;
import dev.baton.RunResult;
import dev.baton.TaskStatus;
import dev.baton.event.ErrorInfo;
import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunCancelled;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.RunSettings;
import dev.baton.internal.planning.PlanningLoop;
import dev.baton.persistence.LeaseLostException;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.plan.Task;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.NotActionable;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.Revision;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.ValidationResult;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * Re-planning that keeps finished work. When a task of a run that asked for it fails for good, the run does not end:
 * once the failure is durable the planner is asked, on a worker thread, for a revised plan, told the plan in effect,
 * the completed tasks with their inputs and outputs, and the failure. A revision that validates is recorded as
 * {@link PlanRevised} and the run goes on under it, through the same path as recovery (a fold of the log, then a
 * resume), so a crash at any point resumes where the log says. A rejected revision is recorded as
 * {@link PlanRevisionRejected}. Every revision asked for counts against the action's bound; past it, or when the
 * planner cannot revise, the run fails with the original failure and the planner's reasons.
 *
 * <p>Thread-safe: one revision per run at a time (the run is handed over once, by its own end), and every append is
 * fenced by the run's sequence number.
 */
final class Replanner {

    /** The run attribute holding the bound on revisions; present only when the action asked for re-planning. */
    static final String ATTRIBUTE = dev.baton.PlannedAction.MAX_REVISIONS;

    private final Engine engine;
    private final Planner planner;
    /** Runs waiting for their revision: their handles fail when the engine closes, as running runs' do. */
    private final Map<RunExecution, Cancel> revising = new java.util.concurrent.ConcurrentHashMap<>();

    /** A caller's cancellation of a run waiting for its revision; applied once the planner has answered. */
    private static final class Cancel {
        volatile String reason;
    }

    Replanner(Engine engine, Planner planner) {
        this.engine = engine;
        this.planner = Objects.requireNonNull(planner, "planner");
    }

    /** @return whether runs with these settings are re-planned when a task fails for good */
    boolean wants(RunSettings settings) {
        return maxRevisions(settings) > 0;
    }

    private static int maxRevisions(RunSettings settings) {
        return settings.attributes().get(ATTRIBUTE) instanceof Number n ? n.intValue() : 0;
    }

    /**
     * The run stops to wait for its revision (its failure not yet durable): from now on a cancel is recorded here and
     * applied once the planner has answered, even if it comes before {@link #revise} runs.
     */
    void expect(RunExecution run) {
        revising.putIfAbsent(run, new Cancel());
    }

    /** The run left this instance before its revision: nothing waits for it here any more. */
    void forget(RunExecution run) {
        revising.remove(run);
    }

    /** The run's last task failure is durable and the run has not ended: revise it on a worker thread. */
    void revise(RunExecution run, RunError failure) {
        revising.putIfAbsent(run, new Cancel());
        try {
            engine.workers().execute(() -> reviseNow(run, failure));
        } catch (RejectedExecutionException e) {
            closed(run);
        }
    }

    /** The engine closes: runs waiting for a revision stay recoverable; their handles fail. */
    void close() {
        for (RunExecution run : revising.keySet()) {
            closed(run);
        }
    }

    /**
     * Cancels a run that waits for its revision: the planner's answer is dropped and the run ends cancelled.
     *
     * @return true if the run was waiting for a revision and not cancelled before
     */
    boolean cancel(RunExecution run, String reason) {
        Cancel c = revising.get(run);
        if (c == null || c.reason != null) {
            return false;
        }
        c.reason = reason;
        return true;
    }

    /** @return the cancellation asked for while the run waited, or null */
    private String cancelled(RunExecution run) {
        Cancel c = revising.get(run);
        return c == null ? null : c.reason;
    }

    private void closed(RunExecution run) {
        revising.remove(run);
        // the log holds the failure and no end: a recovery revises the run again
        run.future.completeExceptionally(new OrchestratorClosedException(
                "the orchestrator closed before run '" + run.runId + "' was re-planned; it stays recoverable"));
    }

    private void reviseNow(RunExecution run, RunError failure) {
        if (engine.isClosed()) {
            closed(run);
            return;
        }
        try {
            RunSnapshot snap = RunSnapshot.fold(engine.events(run.runId)).orElseThrow(
                    () -> new BatonException("STORE_INCONSISTENT", "run '" + run.runId + "' has no log"));
            reviseFrom(run, snap, failure);
            revising.remove(run);
        } catch (Closed e) {
            closed(run);
        } catch (SequenceConflictException | LeaseLostException e) {
            engine.log.warn("run {}: another instance owns the run now; stopping here: {}", run.runId, e.getMessage());
            engine.abandoned(run);
        } catch (RuntimeException | Error e) {
            if (engine.isClosed()) {
                closed(run);
                return;
            }
            // the store failed: the log still ends with the failure, so trying again later is safe
            engine.log.warn("run {}: re-planning failed, retrying in 1 s: {}", run.runId, e.toString());
            engine.scheduler.schedule(Duration.ofSeconds(1), () -> revise(run, failure));
        }
    }

    private void reviseFrom(RunExecution run, RunSnapshot snap, RunError failure) {
        if (snap.status().isTerminal()) {
            engine.ended(run, snap.endSeq, snap.result()); // the end was written but not acknowledged before a retry
            return;
        }
        RunSnapshot.TaskState failed = snap.tasks.get(failure.taskId());
        if (failed == null || failed.status != TaskStatus.FAILED) {
            // A revision was written but not acknowledged before a retry: take it up instead of asking again.
            ServiceRegistry.Catalog catalog = engine.registry.current();
            ValidationResult vr = catalog.validate(snap.currentPlan());
            if (!vr.isValid()) {
                throw new BatonException("RUN_NOT_RESUMABLE", "run '" + run.runId + "': its revised plan cannot be"
                        + " resumed here");
            }
            switchOrCancel(run, snap, vr.graph().orElseThrow(), catalog);
            return;
        }
        if (endIfCancelled(run, snap)) {
            return;
        }
        int max = maxRevisions(snap.settings());
        Action action = actionOf(snap);
        ServiceRegistry.Catalog catalog = engine.registry.current();
        PlanningRequest request = PlanningRequest.revise(action, catalog.catalog, revisionOf(snap, failure));
        List<String> reasons = new ArrayList<>();
        boolean gaveUp = false;
        while (snap.revisionAttempts() < max && !gaveUp) {
            int attempt = snap.revisionAttempts() + 1;
            Plan plan = null;
            List<PlanProblem> problems;
            try {
                plan = planner.plan(request);
                problems = plan == null ? List.of(new PlanProblem("NO_PLAN", null, "", "the planner returned no plan"))
                        : null;
            } catch (PlannerException e) {
                if (!e.replannable()) {
                    reasons.add("the planner could not revise the plan: " + e.code() + ": " + Failures.messageOf(e));
                    break;
                }
                problems = e.problems();
            } catch (RuntimeException | Error e) {
                // a planner's own failure (an LLM client's missing class, say) ends the revisions with its reason
                reasons.add("the planner failed: " + Failures.brief(e));
                break;
            }
            if (endIfCancelled(run, snap)) {
                return;
            }
            if (plan != null) {
                var notActionable = NotActionable.reason(plan);
                if (notActionable.isPresent()) {
                    reasons.add("the planner found the action not actionable: " + notActionable.get());
                    gaveUp = true;
                    continue;
                }
                plan = FixedPlanner.withParams(plan, action.params());
                // a new instance, validated this once (the switch takes the graph): the memo would only lose an entry
                ValidationResult vr = catalog.validator.validate(plan);
                if (vr.isValid()) {
                    switchTo(run, snap, plan, vr.graph().orElseThrow(), catalog, failure);
                    return;
                }
                problems = PlanningLoop.problems(vr.errors());
            }
            PlanRevisionRejected ev = new PlanRevisionRejected(run.runId, snap.lastSeq() + 1, engine.now(), attempt,
                    failure.taskId(), plan, problems);
            append(snap, ev);
            reasons.add("revision " + attempt + " rejected: " + summary(problems));
            request = request.next(problems);
        }
        if (endIfCancelled(run, snap)) {
            return;
        }
        if (!gaveUp && snap.revisionAttempts() >= max) {
            reasons.add("no revision accepted within the bound of " + max);
        }
        fail(run, snap, failure, reasons);
    }

    /** The engine closed while the planner was asked: nothing more is written from here. */
    private static final class Closed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Closed() {
            super(null, null, false, false);
        }
    }

    private void append(RunSnapshot snap, RunEvent ev) {
        if (engine.isClosed()) {
            throw new Closed();
        }
        engine.store.append(snap.runId(), snap.lastSeq(), List.of(ev), engine.owner, ev.at());
        snap.apply(ev);
        engine.publish(ev);
    }

    private boolean endIfCancelled(RunExecution run, RunSnapshot snap) {
        String reason = cancelled(run);
        if (reason == null) {
            return false;
        }
        append(snap, new RunCancelled(run.runId, snap.lastSeq() + 1, engine.now(), reason));
        engine.ended(run, snap.endSeq, snap.result());
        return true;
    }

    /** The run ends as it would have without re-planning, with the planner's reasons added to the failure. */
    private void fail(RunExecution run, RunSnapshot snap, RunError failure, List<String> reasons) {
        String message = failure.message() + (reasons.isEmpty() ? "" : " (re-planning: " + String.join("; ", reasons) + ")");
        RunFailed ev = new RunFailed(run.runId, snap.lastSeq() + 1, engine.now(), failure.taskId(),
                new ErrorInfo(failure.code(), message, null));
        append(snap, ev);
        RunResult result = snap.result();
        engine.ended(run, snap.endSeq, result);
    }

    /**
     * Records the revision and resumes the run under it. A task is kept when it completed, its service is the same
     * and its input, resolved against the kept tasks' outputs, equals the one it ran with; a kept task's dependents
     * can be kept only if all of its own producers are (the others run again and may produce something else).
     */
    private void switchTo(RunExecution run, RunSnapshot snap, Plan plan, PlanGraph graph,
                          ServiceRegistry.Catalog catalog, RunError failure) {
        int n = graph.size();
        boolean[] kept = new boolean[n];
        Object[] keptOutputs = new Object[n];
        int[] waiting = new int[n];
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            waiting[i] = graph.dependencyCount(i);
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        while (!ready.isEmpty()) { // topological order, so producers are decided before their consumers
            int i = ready.poll();
            Task task = graph.task(i);
            RunSnapshot.TaskState prev = snap.tasks.get(task.id());
            boolean producersKept = true;
            for (int d : graph.dependencies(i)) {
                producersKept &= kept[d];
            }
            if (producersKept && prev != null && prev.status == TaskStatus.COMPLETED
                    && Objects.equals(task.service(), prev.service)) {
                try {
                    Map<String, Object> input = InputResolver.resolve(task.input(), id -> {
                        if (Reference.PARAMS_TASK.equals(id)) {
                            return graph.params();
                        }
                        int p = graph.indexOf(id);
                        return p >= 0 && kept[p] ? keptOutputs[p] : InputResolver.MISSING;
                    });
                    if (input.equals(prev.input)) {
                        kept[i] = true;
                        keptOutputs[i] = prev.output;
                    }
                } catch (InputResolver.UnresolvedReferenceException e) {
                    // not resolvable from the kept outputs: it runs again
                }
            }
            for (int k = 0, m = graph.dependentCount(i); k < m; k++) {
                int d = graph.dependentAt(i, k);
                if (--waiting[d] == 0) {
                    ready.add(d);
                }
            }
        }
        int version = snap.planVersion() + 1;
        List<String> keptIds = new ArrayList<>();
        Map<String, String> executionIds = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Task task = graph.task(i);
            RunSnapshot.TaskState prev = snap.tasks.get(task.id());
            String id;
            if (kept[i]) {
                keptIds.add(task.id());
                id = prev.executionId;
            } else if (prev != null && prev.status != TaskStatus.COMPLETED && sameTask(snap.currentPlan(), task)) {
                id = prev.executionId; // the same work, not done yet (skipped, or the failed task tried again)
            } else {
                String base = ExecutionIds.of(run.runId, task.id());
                // changed work never reuses an execution id: an idempotent service would return the old result
                id = snap.usedExecutionIds.contains(base) ? ExecutionIds.revised(run.runId, task.id(), version) : base;
            }
            executionIds.put(task.id(), id);
        }
        PlanRevised ev = new PlanRevised(run.runId, snap.lastSeq() + 1, engine.now(), version, plan, failure.taskId(),
                keptIds, executionIds, catalog.versionsOf(graph));
        append(snap, ev);
        engine.log.info("run {}: task {} failed for good; plan version {} keeps {} of {} tasks", run.runId,
                failure.taskId(), version, keptIds.size(), n);
        switchOrCancel(run, snap, graph, catalog);
    }

    /**
     * Puts the run under its written revision, unless a cancel came first. The last look at a cancel and the switch
     * happen under the run's stripe, which a handle's cancel takes to decide: a cancel either comes before (the run
     * ends cancelled under the revised plan) or finds the new execution. The end of a cancelled run is written after
     * the stripe is left, since it runs listeners and the handle's dependents.
     */
    private void switchOrCancel(RunExecution run, RunSnapshot snap, PlanGraph graph, ServiceRegistry.Catalog catalog) {
        boolean[] cancelled = {false};
        boolean[] closedMeanwhile = {false};
        engine.locked(run.runId, () -> {
            if (cancelled(run) != null) {
                cancelled[0] = true;
                return;
            }
            revising.remove(run); // switched: a cancel from now on is the new execution's
            RunExecution next = engine.switchPlan(run, snap, graph, catalog);
            if (next == null && engine.isClosed()) {
                closedMeanwhile[0] = true;
            } else if (next == null) {
                engine.abandoned(run); // the run went elsewhere: its handle follows the store
            }
        });
        // both complete the handle's future, whose dependents are user code: not under the stripe
        if (cancelled[0]) {
            endIfCancelled(run, snap);
        } else if (closedMeanwhile[0]) {
            closed(run);
        }
    }

    private static boolean sameTask(Plan plan, Task task) {
        for (Task t : plan.tasks()) {
            if (t.id().equals(task.id())) {
                return Objects.equals(t.service(), task.service()) && t.input().equals(task.input())
                        && t.dependsOn().equals(task.dependsOn());
            }
        }
        return false;
    }

    /** The action a run was planned for, rebuilt from its record (the log keeps what re-planning needs). */
    private static Action actionOf(RunSnapshot snap) {
        Map<String, Object> attrs = snap.settings().attributes();
        Object intent = attrs.get(dev.baton.PlannedAction.INTENT);
        Action.Builder b = Action.builder(intent instanceof String s && !s.isBlank() ? s : "(unknown intent)")
                .params(snap.plan().params()).runId(snap.runId()).replanOnFailure(maxRevisions(snap.settings()));
        if (snap.settings().correlationId() != null) {
            b.correlationId(snap.settings().correlationId());
        }
        if (attrs.get(dev.baton.PlannedAction.WEBHOOK) instanceof String w) {
            try {
                b.webhook(URI.create(w));
            } catch (IllegalArgumentException e) {
                // not needed for planning
            }
        }
        return b.build();
    }

    private static Revision revisionOf(RunSnapshot snap, RunError failure) {
        List<Revision.CompletedTask> completed = new ArrayList<>();
        for (RunSnapshot.TaskState t : snap.tasks.values()) {
            if (t.status == TaskStatus.COMPLETED) {
                completed.add(new Revision.CompletedTask(t.taskId, t.service, t.executionId, t.input, t.output));
            }
        }
        RunSnapshot.TaskState f = snap.tasks.get(failure.taskId());
        Revision.FailedTask failed = new Revision.FailedTask(failure.taskId(), f == null ? null : f.service,
                f == null ? null : f.input, failure.code(), failure.message(), f == null ? 0 : f.attempts);
        return new Revision(snap.currentPlan(), snap.planVersion(), completed, failed);
    }

    private static String summary(List<PlanProblem> problems) {
        StringBuilder sb = new StringBuilder();
        int k = 0;
        for (PlanProblem p : problems) {
            if (k++ == 3) {
                sb.append(", ... (").append(problems.size()).append(" in all)");
                break;
            }
            sb.append(k > 1 ? ", " : "").append(p);
        }
        return sb.toString();
    }
}
