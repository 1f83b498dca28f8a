package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.Action;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An action's accepted plan and how it was reached. Immutable.
 *
 * @param action         the action
 * @param plan           the accepted, validated plan
 * @param parallelGroups the schedule the engine follows for it
 * @param planner        the planner's name
 * @param rejected       every rejected attempt before the accepted one, in order
 */
public record PlannedAction(Action action, Plan plan, List<List<String>> parallelGroups, String planner,
                            List<PlanningAttempt> rejected) {

    /** The run attribute naming the planner. */
    public static final String PLANNER = "planner";
    /** The run attribute counting planning attempts, the accepted one included. */
    public static final String ATTEMPTS = "planningAttempts";
    /** The run attribute listing each rejected plan's errors. */
    public static final String REJECTED = "rejectedPlans";
    /** The run attribute holding the action's intent. */
    public static final String INTENT = "intent";
    /** The run attribute holding the action's webhook. */
    public static final String WEBHOOK = "webhook";
    /** The run attribute holding the action's bound on revisions, when it asked for re-planning. */
    public static final String MAX_REVISIONS = "maxRevisions";

    /**
     * Checks and freezes the components.
     *
     * @param action         the action
     * @param plan           the accepted, validated plan
     * @param parallelGroups the schedule the engine follows for it
     * @param planner        the planner's name
     * @param rejected       every rejected attempt before the accepted one, in order
     */
    public PlannedAction {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(planner, "planner");
        List<List<String>> groups = new ArrayList<>();
        for (List<String> g : parallelGroups) {
            groups.add(List.copyOf(g));
        }
        parallelGroups = List.copyOf(groups);
        rejected = List.copyOf(rejected);
    }

    /** @return how many plans the planner was asked for, the accepted one included */
    public int attempts() {
        return rejected.size() + 1;
    }

    /**
     * The planning record kept with the run (its {@code RunCreated} settings' attributes): {@code planner},
     * {@code planningAttempts}, {@code rejectedPlans} (each {@code attempt} with its {@code errors}), {@code intent}
     * and, when set, {@code webhook} and {@code maxRevisions} (re-planning asked for). The accepted plan is the run's
     * plan itself.
     *
     * @return plain JSON values
     */
    public Map<String, Object> toAttributes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(PLANNER, planner);
        m.put(ATTEMPTS, attempts());
        List<Object> rs = new ArrayList<>();
        for (PlanningAttempt a : rejected) {
            rs.add(a.toJson());
        }
        m.put(REJECTED, rs);
        m.put(INTENT, action.intent());
        action.webhook().ifPresent(w -> m.put(WEBHOOK, w.toString()));
        if (action.replans()) {
            m.put(MAX_REVISIONS, action.maxRevisions());
        }
        return m;
    }
}
