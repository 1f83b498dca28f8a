package dev.baton.planner;

import dev.baton.plan.JsonValues;
import dev.baton.plan.Plan;
import dev.baton.plan.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A saved, named and versioned plan template: its {@code task0} is filled from an action's parameters, checked
 * against the declared parameters. Immutable once built, thread-safe, equal by value.
 *
 * @param name       the definition name; matches {@link #NAME}
 * @param version    the version, 1 or more
 * @param template   the plan; its own {@code task0} values, if any, are overridden by the action's parameters
 * @param parameters the declared parameters, names unique
 */
public record PlanDefinition(String name, int version, Plan template, List<DefinitionParameter> parameters) {

    /** Valid definition names. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    /**
     * Checks and freezes the components.
     *
     * @param name       the definition name; matches {@link #NAME}
     * @param version    the version, 1 or more
     * @param template   the plan; its own {@code task0} values, if any, are overridden by the action's parameters
     * @param parameters the declared parameters, names unique
     */
    public PlanDefinition {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("definition name must match " + NAME.pattern() + ", was '" + name + "'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("definition version must be >= 1, was " + version);
        }
        Objects.requireNonNull(template, "template");
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (DefinitionParameter p : parameters) {
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' is declared twice");
            }
        }
    }

    /**
     * A definition.
     *
     * @param name       the name
     * @param version    the version
     * @param template   the plan template
     * @param parameters the declared parameters
     * @return the definition
     */
    public static PlanDefinition of(String name, int version, Plan template, DefinitionParameter... parameters) {
        return new PlanDefinition(name, version, template, List.of(parameters));
    }

    /** @return {@code name@version} */
    public String key() {
        return name + "@" + version;
    }

    /**
     * The plan for the given parameters: defaults first, then the template's own {@code task0} values, then the
     * given parameters.
     *
     * @param params the action's parameters
     * @return the plan (not yet validated)
     * @throws MissingParameterException if a required parameter is not given (all missing ones are named)
     */
    public Plan instantiate(Map<String, ?> params) {
        Objects.requireNonNull(params, "params");
        List<String> missing = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (DefinitionParameter p : parameters) {
            if (p.required() && !params.containsKey(p.name()) && !template.params().containsKey(p.name())) {
                missing.add(p.name());
            } else if (!p.required() && p.defaultValue() != null) {
                values.put(p.name(), p.defaultValue());
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingParameterException(key(), missing);
        }
        values.putAll(template.params());
        values.putAll(params);
        return FixedPlanner.withParams(template, values);
    }

    /**
     * This definition as plain JSON values: {@code name}, {@code version}, {@code parameters} and {@code plan} (in
     * the plan JSON format: {@code tasks} with {@code id}, {@code service}, {@code input}, {@code depends_on}, and
     * {@code parallel_groups}).
     *
     * @return a JSON object
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("version", version);
        List<Object> ps = new ArrayList<>();
        for (DefinitionParameter p : parameters) {
            ps.add(p.toJson());
        }
        m.put("parameters", ps);
        m.put("plan", planToJson(template));
        return JsonValues.freezeObject(m);
    }

    /**
     * Reads what {@link #toJson()} wrote.
     *
     * @param json a JSON object
     * @return the definition
     * @throws IllegalArgumentException if the object is not a definition
     */
    public static PlanDefinition fromJson(Map<String, ?> json) {
        Objects.requireNonNull(json, "json");
        try {
            List<DefinitionParameter> ps = new ArrayList<>();
            Object rawParams = json.get("parameters");
            if (rawParams != null) {
                for (Object p : (List<?>) rawParams) {
                    ps.add(DefinitionParameter.fromJson((Map<?, ?>) p));
                }
            }
            return new PlanDefinition((String) json.get("name"), ((Number) json.get("version")).intValue(),
                    planFromJson((Map<?, ?>) json.get("plan")), ps);
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a plan definition: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> planToJson(Plan plan) {
        return plan.toJsonMap();
    }

    @SuppressWarnings("unchecked")
    static Plan planFromJson(Map<?, ?> json) {
        List<Task> tasks = new ArrayList<>();
        for (Object o : (List<?>) json.get("tasks")) {
            Map<?, ?> t = (Map<?, ?>) o;
            Object deps = t.get("depends_on");
            tasks.add(new Task((String) t.get("id"), (String) t.get("service"),
                    (Map<String, Object>) (t.get("input") == null ? Map.of() : t.get("input")),
                    deps == null ? List.of() : (List<String>) deps));
        }
        Object groups = json.get("parallel_groups");
        return Plan.of(tasks, groups == null ? List.of() : (List<List<String>>) groups);
    }
}
