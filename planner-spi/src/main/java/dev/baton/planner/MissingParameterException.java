package dev.baton.planner;

import java.util.List;

/**
 * An action did not give every parameter a plan definition requires. Code {@code MISSING_PARAMETER}; not worth
 * asking the planner again.
 */
public final class MissingParameterException extends PlannerException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    public static final String CODE = "MISSING_PARAMETER";

    /** The definition's {@code name@version}. */
    private final String definition;
    /** Every missing parameter name, in declaration order. */
    private final List<String> missing;

    /**
     * @param definition the definition's {@code name@version}
     * @param missing    every missing parameter name
     */
    public MissingParameterException(String definition, List<String> missing) {
        super(CODE, "plan definition '" + definition + "' requires " + (missing.size() == 1 ? "parameter " : "parameters ")
                + String.join(", ", missing) + ", not given");
        this.definition = definition;
        this.missing = List.copyOf(missing);
    }

    /** @return the definition's {@code name@version} */
    public String definition() {
        return definition;
    }

    /** @return every missing parameter name, in declaration order */
    public List<String> missing() {
        return missing;
    }
}
