package dev.baton.event;

import java.time.Instant;

/**
 * One entry of a run's append-only log.
 */
public sealed interface RunEvent
        permits RunCreated, TaskStarted, TaskCompleted, TaskFailed, TaskRetryScheduled, TaskSkipped, TaskCancelled,
        TaskDeadLettered, TaskRedriven, PlanRevised, PlanRevisionRejected, RunCompleted, RunFailed, RunCancelled,
        WebhookAttempted {

    /** @return the run this event belongs to */
    String runId();

    /** @return the position in the run's log, starting at 1 */
    long seq();

    /** @return when it happened, by the orchestrator's clock */
    Instant at();

    /** @return whether this event ends the run (completed, failed or cancelled) */
    default boolean isTerminal() {
        return this instanceof RunCompleted || this instanceof RunFailed || this instanceof RunCancelled;
    }

    /**
     * The task this event is about.
     *
     * @return the task id, or {@code null} for run-level events
     */
    default String taskId() {
        return null;
    }
}
