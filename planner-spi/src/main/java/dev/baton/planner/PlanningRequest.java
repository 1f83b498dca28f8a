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
 */
public record PlanningRequest(Action action, ServiceCatalog catalog, int attempt, List<PlanProblem> previousProblems) {

    /** Checks and freezes the components. */
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
     * The request after this one.
     *
     * @param problems why this attempt's plan was rejected
     * @return the next request
     */
    public PlanningRequest next(List<PlanProblem> problems) {
        return new PlanningRequest(action, catalog, attempt + 1, problems);
    }
}
