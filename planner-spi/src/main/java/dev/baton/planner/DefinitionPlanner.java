package dev.baton.planner;

import dev.baton.plan.Plan;

import java.util.Objects;

/**
 * Plans from saved {@link PlanDefinition definitions}. The definition is either fixed when the planner is made, or
 * named by the action's intent: {@code name} for the latest version, {@code name@version} for a given one. The
 * action's parameters fill {@code task0}, checked against the declared parameters. Immutable and thread-safe.
 */
public final class DefinitionPlanner implements Planner {

    private final DefinitionRepository repository;
    private final String name;
    private final int version;

    private DefinitionPlanner(DefinitionRepository repository, String name, int version) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.name = name;
        this.version = version;
    }

    /**
     * A planner that takes the definition from the action's intent ({@code name} or {@code name@version}).
     *
     * @param repository where definitions are kept
     * @return the planner
     */
    public static DefinitionPlanner byIntent(DefinitionRepository repository) {
        return new DefinitionPlanner(repository, null, 0);
    }

    /**
     * A planner that always uses the latest version of one definition.
     *
     * @param repository where definitions are kept
     * @param name       the definition name
     * @return the planner
     */
    public static DefinitionPlanner latest(DefinitionRepository repository, String name) {
        return new DefinitionPlanner(repository, Objects.requireNonNull(name, "name"), 0);
    }

    /**
     * A planner that always uses one version of one definition.
     *
     * @param repository where definitions are kept
     * @param name       the definition name
     * @param version    the version, 1 or more
     * @return the planner
     */
    public static DefinitionPlanner of(DefinitionRepository repository, String name, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("definition version must be >= 1, was " + version);
        }
        return new DefinitionPlanner(repository, Objects.requireNonNull(name, "name"), version);
    }

    /**
     * @throws DefinitionNotFoundException if the definition is not saved
     * @throws MissingParameterException   if the action lacks a required parameter
     */
    @Override
    public Plan plan(PlanningRequest request) {
        String n = name;
        int v = version;
        if (n == null) {
            String intent = request.action().intent().strip();
            int at = intent.lastIndexOf('@');
            n = intent;
            if (at > 0) {
                try {
                    v = Integer.parseInt(intent.substring(at + 1));
                    n = intent.substring(0, at);
                } catch (NumberFormatException e) {
                    v = 0;
                }
            }
        }
        String finalName = n;
        int finalVersion = v;
        PlanDefinition d = (v > 0 ? repository.get(n, v) : repository.latest(n))
                .orElseThrow(() -> new DefinitionNotFoundException(finalName, finalVersion));
        return d.instantiate(request.action().params());
    }

    @Override
    public String name() {
        return name == null ? "definitions" : "definition:" + name + (version > 0 ? "@" + version : "");
    }

    @Override
    public String toString() {
        return "DefinitionPlanner[" + name() + "]";
    }
}
