package dev.baton;

import dev.baton.plan.Plan;

/**
 * The planner answered that the action cannot be done with the registered services (a plan whose only task is
 * {@code final} with an {@code error} input). Not a validation failure; nothing ran. Code {@code NOT_ACTIONABLE}.
 */
public final class NotActionableException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    public static final String CODE = "NOT_ACTIONABLE";

    /** The planner's name. */
    private final String planner;
    /** The planner's reason. */
    private final String reason;
    private final transient Plan plan;

    /**
     * @param planner the planner's name
     * @param reason  the planner's reason
     * @param plan    the planner's not-actionable answer
     */
    public NotActionableException(String planner, String reason, Plan plan) {
        super(CODE, "not actionable (planner '" + planner + "'): " + reason);
        this.planner = planner;
        this.reason = reason;
        this.plan = plan;
    }

    /** @return the planner's name */
    public String planner() {
        return planner;
    }

    /** @return the planner's reason */
    public String reason() {
        return reason;
    }

    /** @return the planner's not-actionable answer */
    public Plan plan() {
        return plan;
    }
}
