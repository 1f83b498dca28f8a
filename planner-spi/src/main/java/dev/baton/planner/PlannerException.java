package dev.baton.planner;

import java.util.List;
import java.util.Objects;

/**
 * A planner could not produce a plan. Unchecked, with a stable {@link #code()}.
 *
 * <p>When the planner did answer but its answer was not a readable plan (prose without JSON, malformed JSON), the
 * exception carries {@link #problems()} and the orchestrator feeds them back to the planner like validation errors;
 * without problems (the planner was unreachable, timed out, refused) planning stops at once.
 *
 * <p>The code is upper-case letters, digits and underscores. The message is recorded with the run and read by
 * people: a sentence or two saying what failed, at most 1,000 characters. It may name a service, a definition or the
 * intent, but never quotes the request's catalog, parameters or previous problems, nor more than a short excerpt of
 * a reply, so that it does not grow with them. Messages never contain credentials.
 */
public class PlannerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The planner's reply held no JSON object. */
    public static final String NO_PLAN_IN_REPLY = "NO_PLAN_IN_REPLY";
    /** The planner's reply held JSON that is not a readable plan. */
    public static final String UNREADABLE_PLAN = "UNREADABLE_PLAN";
    /** The planner could not be reached or failed. */
    public static final String PLANNER_UNAVAILABLE = "PLANNER_UNAVAILABLE";
    /** The planner did not answer in time. */
    public static final String PLANNER_TIMEOUT = "PLANNER_TIMEOUT";

    /** The stable code. */
    private final String code;
    private final transient List<PlanProblem> problems;

    /**
     * @param code    a stable, upper-case code
     * @param message what went wrong
     */
    public PlannerException(String code, String message) {
        this(code, message, List.of(), null);
    }

    /**
     * @param code     a stable, upper-case code
     * @param message  what went wrong
     * @param problems what was wrong with the planner's answer, to feed back; empty when planning cannot go on
     * @param cause    the underlying cause, or {@code null}
     */
    public PlannerException(String code, String message, List<PlanProblem> problems, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.problems = List.copyOf(problems);
    }

    /** @return the stable code */
    public String code() {
        return code;
    }

    /** @return what was wrong with the planner's answer; empty when planning cannot go on */
    public List<PlanProblem> problems() {
        return problems;
    }

    /** @return whether asking the planner again, with {@link #problems()}, may help */
    public boolean replannable() {
        return !problems.isEmpty();
    }
}
