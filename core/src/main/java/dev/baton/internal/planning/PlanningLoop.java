package dev.baton.internal.planning;

import dev.baton.NotActionableException;
import dev.baton.PlannedAction;
import dev.baton.PlanningAttempt;
import dev.baton.PlanningFailedException;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.NotActionable;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Asks a planner for a plan, validates it, and feeds the problems back until a plan is accepted or the attempt limit
 * is reached. Stateless between calls; thread-safe when the planner is.
 */
public final class PlanningLoop {

    /** The code recorded when a planner returns null. */
    static final String NO_PLAN = "NO_PLAN";
    /** The code recorded when a planner throws something other than a {@link PlannerException}. */
    static final String PLANNER_ERROR = "PLANNER_ERROR";

    private final Planner planner;
    private final PlanValidator validator;
    private final ServiceCatalog catalog;
    private final int maxAttempts;

    /**
     * @param planner     the planner
     * @param validator   validates each plan against the services
     * @param catalog     what the planner is told about the services
     * @param maxAttempts at most this many plans are asked for; at least 1
     */
    public PlanningLoop(Planner planner, PlanValidator validator, ServiceCatalog catalog, int maxAttempts) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("planningAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /** @return the planner */
    public Planner planner() {
        return planner;
    }

    /**
     * Plans an action.
     *
     * @param action the action
     * @return the accepted plan and the rejected attempts before it
     * @throws PlanningFailedException if no valid plan came within the attempt limit, or the planner failed
     * @throws NotActionableException  if the planner answered that the action cannot be done
     */
    public PlannedAction plan(Action action) {
        return plan(action, validator::validate, catalog);
    }

    /**
     * Plans an action against a given state of the services (the orchestrator's catalog changes at run time),
     * validating each plan with a given function: the orchestrator validates through its catalog's memo, so the
     * accepted plan, submitted next against the same catalog, is not validated a second time.
     *
     * @param action   the action
     * @param validate validates a plan against the services
     * @param catalog  what the planner is told about the services
     * @return the accepted plan and the rejected attempts before it
     * @throws PlanningFailedException if no valid plan came within the attempt limit, or the planner failed
     * @throws NotActionableException  if the planner answered that the action cannot be done
     */
    public PlannedAction plan(Action action, Function<? super Plan, ValidationResult> validate,
                              ServiceCatalog catalog) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(validate, "validate");
        String name = planner.name();
        List<PlanningAttempt> rejected = new ArrayList<>();
        PlanningRequest request = PlanningRequest.first(action, catalog);
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Plan plan;
            try {
                plan = planner.plan(request);
            } catch (PlannerException e) {
                if (e.replannable()) {
                    rejected.add(new PlanningAttempt(attempt, null, e.problems()));
                    request = request.next(e.problems());
                    continue;
                }
                rejected.add(new PlanningAttempt(attempt, null,
                        List.of(new PlanProblem(e.code(), null, "", String.valueOf(e.getMessage())))));
                throw new PlanningFailedException(name, rejected, e);
            } catch (RuntimeException | Error e) {
                rejected.add(new PlanningAttempt(attempt, null, List.of(new PlanProblem(PLANNER_ERROR, null, "",
                        e.getClass().getSimpleName() + ": " + e.getMessage()))));
                throw new PlanningFailedException(name, rejected, e);
            }
            if (plan == null) {
                List<PlanProblem> problems = List.of(new PlanProblem(NO_PLAN, null, "", "the planner returned no plan"));
                rejected.add(new PlanningAttempt(attempt, null, problems));
                request = request.next(problems);
                continue;
            }
            var reason = NotActionable.reason(plan);
            if (reason.isPresent()) {
                throw new NotActionableException(name, reason.get(), plan);
            }
            plan = FixedPlanner.withParams(plan, action.params());
            ValidationResult vr = validate.apply(plan);
            if (vr.isValid()) {
                return new PlannedAction(action, plan, vr.parallelGroups(), name, rejected);
            }
            List<PlanProblem> problems = problems(vr.errors());
            rejected.add(new PlanningAttempt(attempt, plan, problems));
            request = request.next(problems);
        }
        throw new PlanningFailedException(name, rejected, null);
    }

    /**
     * @param errors validation errors
     * @return the same problems, in the planner SPI's terms
     */
    public static List<PlanProblem> problems(List<ValidationError> errors) {
        List<PlanProblem> out = new ArrayList<>(errors.size());
        for (ValidationError e : errors) {
            out.add(new PlanProblem(e.code().name(), e.taskId(), e.path(), e.message()));
        }
        return out;
    }
}
