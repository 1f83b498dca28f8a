package dev.baton.planner;

import dev.baton.plan.Plan;

/**
 * Turns an action into a plan over the services of a catalog. The orchestrator validates every plan a planner
 * returns and, when it is rejected, asks again with the problems found ({@link PlanningRequest#previousProblems()}),
 * up to its attempt limit. A planner that cannot do the action with the services it has answers with a
 * {@link NotActionable not-actionable} plan.
 *
 * <p>Implementations must be thread-safe: one planner serves concurrent submissions.
 */
@FunctionalInterface
public interface Planner {

    /**
     * Plans an action.
     *
     * @param request the action, the catalog, the attempt number and the previous attempt's problems
     * @return a plan (validated by the caller, not here)
     * @throws PlannerException if no plan could be produced
     */
    Plan plan(PlanningRequest request);

    /** @return a short name for this planner, recorded with each run it plans */
    default String name() {
        return getClass().getSimpleName();
    }
}
