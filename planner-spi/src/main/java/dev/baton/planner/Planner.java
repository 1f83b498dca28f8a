package dev.baton.planner;

import dev.baton.plan.Plan;

/**
 * Turns an action into a plan over the services of a catalog. The orchestrator validates every plan a planner
 * returns and, when it is rejected, asks again with the problems found ({@link PlanningRequest#previousProblems()}),
 * up to its attempt limit. A planner that cannot do the action with the services it has answers with a
 * {@link NotActionable not-actionable} plan.
 *
 * <p>Every request, a first attempt, a later one with the previous problems or a revision, gets one of three answers:
 * a plan, a not-actionable plan, or a {@link PlannerException}. A plan's tasks (besides {@code task0}, which the
 * orchestrator fills from the action's parameters) name services of the request's catalog, and the plan is meant to
 * pass the orchestrator's validation against it. Any other exception is a fault of the planner: the orchestrator ends
 * the planning with it ({@code PLANNER_ERROR}); a {@code null} plan is one too, which it counts as a rejected attempt
 * ({@code NO_PLAN}).
 *
 * <p>Implementations must be thread-safe: one planner serves concurrent submissions, each call answering its own
 * request. The request is immutable.
 *
 * <p>The contract test kit ({@code dev.baton.planner.tck.PlannerContractTest} in {@code baton-planner-tck}) checks
 * these rules; a planner's tests extend it.
 */
@FunctionalInterface
public interface Planner {

    /**
     * Plans an action.
     *
     * @param request the action, the catalog, the attempt number and the previous attempt's problems
     * @return a plan, never {@code null} (validated by the caller, not here)
     * @throws PlannerException if no plan could be produced; the only exception a planner throws
     */
    Plan plan(PlanningRequest request);

    /**
     * @return a short name for this planner, recorded with each run it plans: not blank, one line of at most 200
     *         characters, the same on every call
     */
    default String name() {
        return getClass().getSimpleName();
    }
}
