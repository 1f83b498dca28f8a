package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.PlanProblem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One rejected planning attempt: the plan the planner gave (if it gave a readable one) and every problem found in it.
 * Immutable.
 *
 * @param number   the attempt number, from 1
 * @param plan     the rejected plan, or {@code null} when the planner's answer was not a readable plan
 * @param problems every problem, at least one
 */
public record PlanningAttempt(int number, Plan plan, List<PlanProblem> problems) {

    /**
     * Checks and freezes the components.
     *
     * @param number   the attempt number, from 1
     * @param plan     the rejected plan, or {@code null} when the planner's answer was not a readable plan
     * @param problems every problem, at least one
     */
    public PlanningAttempt {
        if (number < 1) {
            throw new IllegalArgumentException("attempt number must be >= 1, was " + number);
        }
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
    }

    /** @return the rejected plan, if the planner gave a readable one */
    public Optional<Plan> rejectedPlan() {
        return Optional.ofNullable(plan);
    }

    /** @return this attempt as plain JSON values: {@code attempt} and {@code errors} */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attempt", number);
        List<Object> errors = new ArrayList<>(problems.size());
        for (PlanProblem p : problems) {
            errors.add(p.toJson());
        }
        m.put("errors", errors);
        return m;
    }
}
