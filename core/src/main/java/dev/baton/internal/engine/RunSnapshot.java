package dev.baton.internal.engine;

import dev.baton.RunError;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.TaskStatus;
import dev.baton.TaskView;
import dev.baton.event.ErrorInfo;
import dev.baton.event.FailedAttempt;
import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunCancelled;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCancelled;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskSkipped;
import dev.baton.event.TaskStarted;
import dev.baton.event.WebhookAttempted;
import dev.baton.plan.Plan;
import dev.baton.plan.Task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's state as a fold over its log. Inspection, idempotent resubmission and recovery all read runs through this
 * one fold, so they cannot disagree.
 */
public final class RunSnapshot {

    /** One task's folded state. */
    public static final class TaskState {
        final String taskId;
        final String service;
        final String executionId;
        TaskStatus status = TaskStatus.PENDING;
        int attempts;
        Map<String, Object> input;
        Object output;
        boolean completed;
        RunError lastError;
        Instant startedAt;
        Instant endedAt;
        Instant retryAt;
        boolean deadLettered;
        String skipCause;
        Instant cycleStartedAt;                       // first start since creation or the last redrive
        final List<FailedAttempt> failures = new ArrayList<>(0); // since creation or the last redrive

        TaskState(String taskId, String service, String executionId) {
            this.taskId = taskId;
            this.service = service;
            this.executionId = executionId;
        }

        TaskView view() {
            return new TaskView(taskId, service, status, attempts, executionId, input, output, lastError, startedAt,
                    endedAt);
        }
    }

    final String runId;
    final Plan plan;
    final RunSettings settings;
    Plan currentPlan;                                 // the original plan, or the latest revision
    int planVersion = 1;
    int revisionAttempts;                             // revisions asked for so far, accepted and rejected
    Map<String, Integer> serviceVersions;             // of the plan version in effect
    final java.util.Set<String> usedExecutionIds = new java.util.HashSet<>(); // started under any version
    final Instant createdAt;
    Instant endedAt;
    RunStatus status = RunStatus.RUNNING;
    RunError error;
    long lastSeq;
    long endSeq;                      // the seq of the latest terminal event, 0 while the run has not ended
    WebhookAttempted lastWebhook;     // the last webhook attempt for that end
    final LinkedHashMap<String, TaskState> tasks = new LinkedHashMap<>();

    private RunSnapshot(RunCreated created) {
        this.runId = created.runId();
        this.plan = created.plan();
        this.settings = created.settings();
        this.createdAt = created.at();
        this.currentPlan = plan;
        this.serviceVersions = versions(settings.attributes().get(Engine.SERVICE_VERSIONS));
        for (Task t : plan.tasks()) {
            if (!t.isParams()) {
                tasks.put(t.id(), new TaskState(t.id(), t.service(), ExecutionIds.of(runId, t.id())));
            }
        }
    }

    private static Map<String, Integer> versions(Object o) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number n) {
                    out.put(String.valueOf(k), n.intValue());
                }
            });
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * Folds a run's log.
     *
     * @param events the whole log, in order
     * @return the state, or empty for an empty log
     * @throws IllegalStateException if the log does not start with {@link RunCreated}
     */
    public static Optional<RunSnapshot> fold(List<RunEvent> events) {
        if (events.isEmpty()) {
            return Optional.empty();
        }
        if (!(events.get(0) instanceof RunCreated created)) {
            throw new IllegalStateException("log of run '" + events.get(0).runId() + "' does not start with RunCreated");
        }
        RunSnapshot s = new RunSnapshot(created);
        for (RunEvent e : events) {
            s.apply(e);
        }
        return Optional.of(s);
    }

    void apply(RunEvent e) {
        lastSeq = e.seq();
        TaskState t = e.taskId() == null ? null : tasks.get(e.taskId());
        if (e.isTerminal()) {
            endSeq = e.seq();
            lastWebhook = null; // each end is delivered on its own
        }
        if (e instanceof TaskStarted ev && t != null) {
            usedExecutionIds.add(ev.executionId());
            t.status = TaskStatus.RUNNING;
            t.attempts = Math.max(t.attempts, ev.attempt());
            t.input = ev.input();
            if (t.startedAt == null) {
                t.startedAt = ev.at();
            }
            if (t.cycleStartedAt == null) {
                t.cycleStartedAt = ev.at();
            }
            t.retryAt = null;
        } else if (e instanceof TaskCompleted ev && t != null) {
            t.status = TaskStatus.COMPLETED;
            t.output = ev.output();
            t.completed = true;
            t.lastError = null; // the latest attempt succeeded (as the live execution records it)
            t.attempts = Math.max(t.attempts, ev.attempt());
            t.endedAt = ev.at();
        } else if (e instanceof TaskFailed ev && t != null) {
            t.lastError = error(ev.taskId(), ev.error());
            t.failures.add(new FailedAttempt(ev.attempt(), ev.at(), ev.error()));
            if (ev.retrying()) {
                t.status = TaskStatus.PENDING;
            } else {
                t.status = TaskStatus.FAILED;
                t.endedAt = ev.at();
            }
        } else if (e instanceof TaskRetryScheduled ev && t != null) {
            t.status = TaskStatus.PENDING;
            t.retryAt = ev.notBefore();
        } else if (e instanceof TaskSkipped ev && t != null) {
            t.status = TaskStatus.SKIPPED;
            t.skipCause = ev.cause();
            t.endedAt = ev.at();
        } else if (e instanceof TaskCancelled ev && t != null) {
            t.status = TaskStatus.CANCELLED;
            t.endedAt = ev.at();
        } else if (e instanceof TaskDeadLettered && t != null) {
            t.deadLettered = true;
        } else if (e instanceof TaskRedriven && t != null) {
            t.deadLettered = false;
            t.status = TaskStatus.PENDING;
            t.endedAt = null;
            t.cycleStartedAt = null;
            t.failures.clear();
            // what was skipped because of this task gets its chance again, and what was skipped because of those
            // (a log may name a skipped task as the cause): one pass to index the causes, then a walk from this task
            java.util.HashMap<String, List<TaskState>> skippedBy = new java.util.HashMap<>();
            for (TaskState other : tasks.values()) {
                if (other.status == TaskStatus.SKIPPED && other.skipCause != null) {
                    skippedBy.computeIfAbsent(other.skipCause, k -> new ArrayList<>(2)).add(other);
                }
            }
            java.util.ArrayDeque<String> causes = new java.util.ArrayDeque<>();
            causes.add(t.taskId);
            while (!causes.isEmpty()) {
                List<TaskState> freed = skippedBy.remove(causes.poll()); // removed: each cause is walked once
                if (freed == null) {
                    continue;
                }
                for (TaskState other : freed) {
                    other.status = TaskStatus.PENDING;
                    other.skipCause = null;
                    other.endedAt = null;
                    causes.add(other.taskId);
                }
            }
            status = RunStatus.RUNNING;
            endedAt = null;
            error = null;
        } else if (e instanceof PlanRevised ev) {
            // the run goes on under the revised plan: kept tasks carry their state over, every other starts afresh
            LinkedHashMap<String, TaskState> previous = new LinkedHashMap<>(tasks);
            java.util.Set<String> kept = new java.util.HashSet<>(ev.kept());
            tasks.clear();
            for (Task task : ev.plan().tasks()) {
                if (task.isParams()) {
                    continue;
                }
                TaskState old = previous.get(task.id());
                if (old != null && kept.contains(task.id())) {
                    tasks.put(task.id(), old);
                } else {
                    String id = ev.executionIds().getOrDefault(task.id(), ExecutionIds.of(runId, task.id()));
                    tasks.put(task.id(), new TaskState(task.id(), task.service(), id));
                }
            }
            currentPlan = ev.plan();
            planVersion = ev.version();
            serviceVersions = versions(ev.serviceVersions());
            revisionAttempts++;
            status = RunStatus.RUNNING;
            endedAt = null;
            error = null;
        } else if (e instanceof PlanRevisionRejected) {
            revisionAttempts++;
        } else if (e instanceof WebhookAttempted ev) {
            if (ev.endSeq() == endSeq) {
                lastWebhook = ev;   // else the delivery of an earlier end, finishing after a redrive
            }
        } else if (e instanceof RunCompleted ev) {
            status = RunStatus.COMPLETED;
            endedAt = ev.at();
        } else if (e instanceof RunFailed ev) {
            status = RunStatus.FAILED;
            endedAt = ev.at();
            error = error(ev.taskId(), ev.error());
        } else if (e instanceof RunCancelled ev) {
            status = RunStatus.CANCELLED;
            endedAt = ev.at();
            error = new RunError(null, "CANCELLED", ev.reason());
        }
    }

    static RunError error(String taskId, ErrorInfo info) {
        return new RunError(taskId, info.code(), info.message());
    }

    /** @return the run id */
    public String runId() {
        return runId;
    }

    /** @return the plan the run was created with: its identity for idempotent resubmission */
    public Plan plan() {
        return plan;
    }

    /** @return the plan in effect: the original one, or the latest revision */
    public Plan currentPlan() {
        return currentPlan;
    }

    /** @return the version of the plan in effect: 1 for the original, then 2, 3, ... per accepted revision */
    public int planVersion() {
        return planVersion;
    }

    /** @return how many revisions were asked for so far, accepted and rejected */
    public int revisionAttempts() {
        return revisionAttempts;
    }

    /** @return the run's status */
    public RunStatus status() {
        return status;
    }

    /** @return the last sequence number of the log */
    public long lastSeq() {
        return lastSeq;
    }

    /**
     * @return whether the run has ended, has a webhook, and the log shows no final attempt to deliver this end's
     *         result to it
     */
    public boolean webhookOwed() {
        return status.isTerminal() && Webhooks.destination(settings).isPresent()
                && (lastWebhook == null || !lastWebhook.isFinal());
    }

    /** @return the settings the run was created with */
    public RunSettings settings() {
        return settings;
    }

    /**
     * @param parallelGroups the schedule to show
     * @return the inspect view
     */
    public RunView view(List<List<String>> parallelGroups) {
        List<TaskView> views = new ArrayList<>(tasks.size());
        for (TaskState t : tasks.values()) {
            views.add(t.view());
        }
        String correlation = settings.correlationId() == null ? runId : settings.correlationId();
        return new RunView(runId, status, correlation, createdAt, endedAt, views, parallelGroups, error, planVersion,
                serviceVersions);
    }

    /** @return the result, meaningful once the run has ended */
    public RunResult result() {
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (TaskState t : tasks.values()) {
            if (t.completed) {
                outputs.put(t.taskId, t.output);
            }
        }
        return new RunResult(runId, status, outputs, error);
    }
}
