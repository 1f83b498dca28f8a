package dev.baton;

import dev.baton.planner.PlanProblem;

import java.util.List;

/**
 * Planning an action failed: every plan the planner gave was rejected up to the attempt limit, or the planner could
 * not answer. Nothing ran. Carries every attempt's problems. Code {@code PLANNING_FAILED}.
 */
public final class PlanningFailedException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    public static final String CODE = "PLANNING_FAILED";

    /** How many problems per attempt the message lists. */
    private static final int MESSAGE_LIMIT = 20;

    /** The planner's name. */
    private final String planner;
    private final transient List<PlanningAttempt> attempts;

    /**
     * @param planner  the planner's name
     * @param attempts every failed attempt, in order; not empty
     * @param cause    what stopped planning early (the planner's own failure), or {@code null}
     */
    public PlanningFailedException(String planner, List<PlanningAttempt> attempts, Throwable cause) {
        super(CODE, message(planner, attempts), cause);
        this.planner = planner;
        this.attempts = List.copyOf(attempts);
    }

    /** @return the planner's name */
    public String planner() {
        return planner;
    }

    /** @return every failed attempt, in order, each with its problems */
    public List<PlanningAttempt> attempts() {
        return attempts;
    }

    private static String message(String planner, List<PlanningAttempt> attempts) {
        StringBuilder sb = new StringBuilder("planning failed: planner '").append(planner).append("' gave no valid plan in ")
                .append(attempts.size()).append(attempts.size() == 1 ? " attempt" : " attempts");
        for (PlanningAttempt a : attempts) {
            sb.append("\n attempt ").append(a.number()).append(':');
            int n = 0;
            for (PlanProblem p : a.problems()) {
                if (n++ == MESSAGE_LIMIT) {
                    sb.append("\n  ... and ").append(a.problems().size() - MESSAGE_LIMIT).append(" more");
                    break;
                }
                sb.append("\n  ").append(p);
            }
        }
        return sb.toString();
    }
}
