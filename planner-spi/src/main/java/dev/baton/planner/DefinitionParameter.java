package dev.baton.planner;

import dev.baton.plan.JsonValues;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A parameter a {@link PlanDefinition} declares. Immutable.
 *
 * @param name         the parameter name ({@code $task0.name} in the template)
 * @param required     whether an action must give it
 * @param description  what it is, for people and planners; may be empty
 * @param defaultValue the value used when an optional parameter is not given, or {@code null} for none
 */
public record DefinitionParameter(String name, boolean required, String description, Object defaultValue) {

    /**
     * Checks and freezes the components.
     *
     * @param name         the parameter name ({@code $task0.name} in the template)
     * @param required     whether an action must give it
     * @param description  what it is, for people and planners; may be empty
     * @param defaultValue the value used when an optional parameter is not given, or {@code null} for none
     */
    public DefinitionParameter {
        Objects.requireNonNull(name, "parameter name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("parameter name is blank");
        }
        description = description == null ? "" : description;
        defaultValue = JsonValues.freeze(defaultValue);
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("required parameter '" + name + "' cannot have a default value");
        }
    }

    /**
     * @param name the parameter name
     * @return a required parameter
     */
    public static DefinitionParameter required(String name) {
        return new DefinitionParameter(name, true, "", null);
    }

    /**
     * @param name         the parameter name
     * @param defaultValue its value when not given, or {@code null}
     * @return an optional parameter
     */
    public static DefinitionParameter optional(String name, Object defaultValue) {
        return new DefinitionParameter(name, false, "", defaultValue);
    }

    /** @return this parameter as plain JSON values */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("required", required);
        m.put("description", description);
        if (defaultValue != null) {
            m.put("default", defaultValue);
        }
        return m;
    }

    /**
     * @param json what {@link #toJson()} wrote
     * @return the parameter
     */
    static DefinitionParameter fromJson(Map<?, ?> json) {
        return new DefinitionParameter((String) json.get("name"), Boolean.TRUE.equals(json.get("required")),
                (String) json.get("description"), json.get("default"));
    }
}
