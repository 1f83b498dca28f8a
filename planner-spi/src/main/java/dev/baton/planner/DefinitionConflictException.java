package dev.baton.planner;

/**
 * A plan definition with this name and version is already saved with other content; definitions are immutable once
 * saved. Code {@code DEFINITION_EXISTS}.
 */
public final class DefinitionConflictException extends PlannerException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    public static final String CODE = "DEFINITION_EXISTS";

    /**
     * @param name    the definition name
     * @param version its version
     */
    public DefinitionConflictException(String name, int version) {
        super(CODE, "plan definition '" + name + "' version " + version
                + " is already saved with other content; save a new version instead");
    }
}
