package dev.baton.event;

import dev.baton.plan.Plan;
import dev.baton.planner.PlanProblem;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A revision the planner was asked for was not accepted: its plan did not validate, or the planner gave none. It
 * counts against the run's bound on revisions; the run goes on with the next revision or fails.
 *
 * @param runId        run id
 * @param seq          position in the log
 * @param at           time
 * @param attempt      which revision request of the run this was: 1, 2, ... (accepted and rejected ones counted)
 * @param failedTaskId the task whose failure led to the request
 * @param plan         the rejected plan, or {@code null} when the planner gave none
 * @param problems     why it was rejected
 */
public record PlanRevisionRejected(String runId, long seq, Instant at, int attempt, String failedTaskId, Plan plan,
                                   List<PlanProblem> problems) implements RunEvent {

    /**
     * Checks and freezes the components.
     *
     * @param runId        run id
     * @param seq          position in the log
     * @param at           time
     * @param attempt      which revision request of the run this was: 1, 2, ... (accepted and rejected ones counted)
     * @param failedTaskId the task whose failure led to the request
     * @param plan         the rejected plan, or {@code null} when the planner gave none
     * @param problems     why it was rejected
     */
    public PlanRevisionRejected {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        problems = List.copyOf(problems);
    }
}
