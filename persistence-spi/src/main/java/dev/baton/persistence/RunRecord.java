package dev.baton.persistence;

import dev.baton.event.RunCancelled;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.plan.Reference;
import dev.baton.plan.Task;

import java.time.Instant;
import java.util.List;

/**
 * A store's summary of one run, derived from its log.
 *
 * @param runId         run id
 * @param state         where it stands
 * @param createdAt     time of its {@code RunCreated} event
 * @param endedAt       time of its terminal event, or {@code null}
 * @param lastSeq       sequence number of its last event
 * @param correlationId the caller's correlation id, or {@code null}
 * @param taskCount     number of executable tasks in the plan it was created with (a re-planning revision does not
 *                      change it; the revised plan is in the log)
 */
public record RunRecord(String runId, RunState state, Instant createdAt, Instant endedAt, long lastSeq,
                        String correlationId, int taskCount) {

    /**
     * The summary of a run that has just been created: the start of the fold every store applies to its logs.
     *
     * @param created the run's first event
     * @return an {@link RunState#ACTIVE} summary at seq 1
     */
    public static RunRecord created(RunCreated created) {
        List<Task> all = created.plan().tasks();
        int tasks = all.size();
        if (created.plan().task(Reference.PARAMS_TASK).isPresent()) {
            // only then is a task to be left out: most plans have no parameters, and are not walked at all
            for (Task t : all) {
                if (t.isParams()) {
                    tasks--;
                }
            }
        }
        return new RunRecord(created.runId(), RunState.ACTIVE, created.at(), null, created.seq(),
                created.settings().correlationId(), tasks);
    }

    /**
     * One step of the fold: the summary after an event.
     *
     * @param event the next event of this run
     * @return the new summary (a terminal event sets the state and the end time)
     */
    public RunRecord after(RunEvent event) {
        if (event instanceof TaskRedriven) {
            // a redrive reopens an ended run
            return new RunRecord(runId, RunState.ACTIVE, createdAt, null, event.seq(), correlationId, taskCount);
        }
        RunState next = event instanceof RunCompleted ? RunState.COMPLETED
                : event instanceof RunFailed ? RunState.FAILED
                : event instanceof RunCancelled ? RunState.CANCELLED
                : state;
        Instant ended = next != state ? event.at() : endedAt;
        return new RunRecord(runId, next, createdAt, ended, event.seq(), correlationId, taskCount);
    }
}
