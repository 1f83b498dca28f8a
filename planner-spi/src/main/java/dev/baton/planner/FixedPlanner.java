package dev.baton.planner;

import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.plan.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A planner that always answers with the same plan, its {@code task0} filled from the action's parameters (the
 * action's values over the plan's own {@code task0} values). Immutable and thread-safe.
 */
public final class FixedPlanner implements Planner {

    private final Plan plan;

    private FixedPlanner(Plan plan) {
        this.plan = plan;
    }

    /**
     * @param plan the plan to answer with
     * @return the planner
     */
    public static FixedPlanner of(Plan plan) {
        return new FixedPlanner(Objects.requireNonNull(plan, "plan"));
    }

    /** @return the plan this planner answers with, before the action's parameters are filled in */
    public Plan plan() {
        return plan;
    }

    @Override
    public Plan plan(PlanningRequest request) {
        return withParams(plan, request.action().params());
    }

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public String toString() {
        return "FixedPlanner[" + plan + "]";
    }

    /**
     * A copy of a plan whose {@code task0} input is the plan's own {@code task0} input overlaid with the given
     * parameters; {@code task0} is added first when the plan has none. A {@code task0} that names a service keeps it,
     * for validation to refuse.
     *
     * @param plan   the plan
     * @param params the parameters
     * @return the plan with its parameters filled
     */
    public static Plan withParams(Plan plan, Map<String, ?> params) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(params, "params");
        Map<String, Object> merged = new LinkedHashMap<>(plan.params());
        merged.putAll(params);
        List<Task> tasks = new ArrayList<>(plan.tasks().size() + 1);
        // a task0 naming a service (a planner that numbered its first real task 0) keeps it, so that validation
        // reports the mistake instead of the task silently never running
        String service = plan.task(Reference.PARAMS_TASK).map(Task::service).orElse(null);
        tasks.add(new Task(Reference.PARAMS_TASK, service, merged, List.of()));
        for (Task t : plan.tasks()) {
            if (!t.isParams()) {
                tasks.add(t);
            }
        }
        return Plan.of(tasks, plan.parallelGroups());
    }
}
