package dev.baton.planner;

/**
 * No saved plan definition has the requested name (and version). Code {@code DEFINITION_NOT_FOUND}.
 */
public final class DefinitionNotFoundException extends PlannerException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    public static final String CODE = "DEFINITION_NOT_FOUND";

    /**
     * @param name    the definition name
     * @param version the version, or 0 for "the latest"
     */
    public DefinitionNotFoundException(String name, int version) {
        super(CODE, "no plan definition '" + shortened(name) + "'" + (version > 0 ? " version " + version : ""));
    }

    /** A name taken from an intent may be any text; one longer than any definition name is cut, to keep it short. */
    private static String shortened(String name) {
        int max = 128; // the longest name PlanDefinition.NAME allows
        return name.length() <= max ? name : name.substring(0, max) + "... (" + name.length() + " characters)";
    }
}
