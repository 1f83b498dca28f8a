package dev.baton.planner;

import java.util.List;
import java.util.Objects;

/**
 * One request to a {@link Planner}. Immutable.
 *
 * @param action           what to plan
 * @param catalog          the services the plan may use (names, descriptions, schemas, versions)
 * @param attempt          1 for the first request, then 2, 3, ...
 * @param previousProblems why the previous attempt's plan was rejected; empty on the first attempt
 * @param revision         when the request asks to revise a running plan after a task failed for good: the plan in
 *                         effect, the completed tasks and the failure; {@code null} when planning an action afresh
 */
public record PlanningRequest(Action action, ServiceCatalog catalog, int attempt, List<PlanProblem> previousProblems,
                              Revision revision) {

    /**
     * A request to plan an action afresh.
     *
     * @param action           what to plan
     * @param catalog          the services
     * @param attempt          1 for the first request, then 2, 3, ...
     * @param previousProblems why the previous attempt's plan was rejected
     */
    public PlanningRequest(Action action, ServiceCatalog catalog, int attempt, List<PlanProblem> previousProblems) {
        this(action, catalog, attempt, previousProblems, null);
    }

    /**
     * Checks and freezes the components.
     *
     * @param action           what to plan
     * @param catalog          the services the plan may use (names, descriptions, schemas, versions)
     * @param attempt          1 for the first request, then 2, 3, ...
     * @param previousProblems why the previous attempt's plan was rejected; empty on the first attempt
     * @param revision         when the request asks to revise a running plan after a task failed for good: the plan in
     *                         effect, the completed tasks and the failure; {@code null} when planning an action afresh
     */
    public PlanningRequest {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(catalog, "catalog");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        previousProblems = previousProblems == null ? List.of() : List.copyOf(previousProblems);
    }

    /**
     * The first request for an action.
     *
     * @param action  what to plan
     * @param catalog the services
     * @return the request, attempt 1 with no problems
     */
    public static PlanningRequest first(Action action, ServiceCatalog catalog) {
        return new PlanningRequest(action, catalog, 1, List.of());
    }

    /**
     * The first request to revise a running plan.
     *
     * @param action   the action the run was planned for
     * @param catalog  the services now
     * @param revision the plan in effect, the completed tasks and the failure
     * @return the request, attempt 1
     */
    public static PlanningRequest revise(Action action, ServiceCatalog catalog, Revision revision) {
        return new PlanningRequest(action, catalog, 1, List.of(), Objects.requireNonNull(revision, "revision"));
    }

    /** @return whether this request asks to revise a running plan ({@link #revision()} is set) */
    public boolean isRevision() {
        return revision != null;
    }

    /**
     * The request after this one (a revision request stays one).
     *
     * @param problems why this attempt's plan was rejected
     * @return the next request
     */
    public PlanningRequest next(List<PlanProblem> problems) {
        return new PlanningRequest(action, catalog, attempt + 1, problems, revision);
    }
}
