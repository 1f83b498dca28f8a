package dev.baton.planner;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Orra's convention for "this action cannot be done with these services": a plan whose only task besides
 * {@code task0} has the id {@code final}, no service, and an {@code error} input holding the reason, in plain words
 * and not blank.
 *
 * <pre>{@code
 * {"tasks": [{"id": "task0", "input": {...}}, {"id": "final", "input": {"error": "no service can refund"}}]}
 * }</pre>
 */
public final class NotActionable {

    /** The id of the task carrying the reason. */
    public static final String FINAL_TASK = "final";
    /** The input field holding the reason. */
    public static final String ERROR_FIELD = "error";

    private NotActionable() {
    }

    /**
     * The planner's reason, when the plan is a not-actionable answer.
     *
     * @param plan a plan
     * @return the reason (the {@code error} input as text), or empty for an ordinary plan
     */
    public static Optional<String> reason(Plan plan) {
        Objects.requireNonNull(plan, "plan");
        Task only = null;
        for (Task t : plan.tasks()) {
            if (t.isParams()) {
                continue;
            }
            if (only != null) {
                return Optional.empty();
            }
            only = t;
        }
        if (only == null || !FINAL_TASK.equals(only.id()) || (only.service() != null && !only.service().isEmpty())
                || !only.input().containsKey(ERROR_FIELD)) {
            return Optional.empty();
        }
        Object error = only.input().get(ERROR_FIELD);
        return Optional.of(error == null ? "" : error.toString());
    }

    /**
     * Whether the plan is a not-actionable answer.
     *
     * @param plan a plan
     * @return true when {@link #reason(Plan)} is present
     */
    public static boolean test(Plan plan) {
        return reason(plan).isPresent();
    }

    /**
     * A not-actionable answer, as a planner returns it.
     *
     * @param params the action's parameters ({@code task0}'s input)
     * @param reason why the action cannot be done
     * @return the plan
     */
    public static Plan plan(Map<String, ?> params, String reason) {
        Objects.requireNonNull(reason, "reason");
        Map<String, Object> input = new LinkedHashMap<>();
        input.put(ERROR_FIELD, reason);
        return Plan.builder().params(params).task(new Task(FINAL_TASK, null, input, null)).build();
    }
}
