package dev.baton;

import dev.baton.internal.planning.PlanningLoop;
import dev.baton.planner.Action;
import dev.baton.planner.Planner;
import dev.baton.planner.ServiceCatalog;
import dev.baton.validation.PlanValidator;

import java.util.Objects;

/**
 * Plans actions without running them: asks a {@link Planner}, validates each plan against a catalog, and feeds the
 * problems back up to an attempt limit. This is what {@link Orchestrator#submit(Action)} does before it runs the
 * accepted plan, and what {@code baton plan} does on its own.
 *
 * <pre>{@code
 * ActionPlanning planning = ActionPlanning.of(planner, catalog, 3);
 * PlannedAction planned = planning.plan(Action.of("Assist customer", Map.of("customerId", "C1")));
 * }</pre>
 *
 * <p>Immutable; thread-safe when the planner is.
 */
public final class ActionPlanning {

    /** The default number of plans asked for per action. */
    public static final int DEFAULT_ATTEMPTS = 3;

    private final PlanningLoop loop;

    private ActionPlanning(PlanningLoop loop) {
        this.loop = loop;
    }

    /**
     * Planning validated against a catalog with the default validator settings.
     *
     * @param planner     the planner
     * @param catalog     the services plans may use
     * @param maxAttempts at most this many plans are asked for; at least 1
     * @return the planning
     */
    public static ActionPlanning of(Planner planner, ServiceCatalog catalog, int maxAttempts) {
        Objects.requireNonNull(catalog, "catalog");
        return of(planner, PlanValidator.builder().catalog(catalog).build(), catalog, maxAttempts);
    }

    /**
     * Planning validated by a given validator.
     *
     * @param planner     the planner
     * @param validator   validates each plan (its catalog should be {@code catalog})
     * @param catalog     what the planner is told about the services
     * @param maxAttempts at most this many plans are asked for; at least 1
     * @return the planning
     */
    public static ActionPlanning of(Planner planner, PlanValidator validator, ServiceCatalog catalog, int maxAttempts) {
        return new ActionPlanning(new PlanningLoop(planner, validator, catalog, maxAttempts));
    }

    /**
     * Plans an action; nothing runs.
     *
     * @param action the action
     * @return the accepted plan, its schedule and the rejected attempts before it
     * @throws PlanningFailedException if no valid plan came within the attempt limit, or the planner failed
     * @throws NotActionableException  if the planner answered that the action cannot be done
     */
    public PlannedAction plan(Action action) {
        return loop.plan(action);
    }

    /** @return the planner */
    public Planner planner() {
        return loop.planner();
    }

    @Override
    public String toString() {
        return "ActionPlanning[" + loop.planner().name() + "]";
    }
}
