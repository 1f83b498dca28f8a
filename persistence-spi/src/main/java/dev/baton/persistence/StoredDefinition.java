package dev.baton.persistence;

import dev.baton.plan.JsonValues;

import java.util.Map;
import java.util.Objects;

/**
 * A plan definition as a {@link DefinitionStore} keeps it. Immutable.
 *
 * @param name    the definition name
 * @param version the version, 1 or more
 * @param content the whole definition as plain JSON values (deeply frozen)
 */
public record StoredDefinition(String name, int version, Map<String, Object> content) {

    /**
     * Checks and freezes the components.
     *
     * @param name    the definition name
     * @param version the version, 1 or more
     * @param content the whole definition as plain JSON values (deeply frozen)
     */
    public StoredDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("definition name is blank");
        }
        if (version < 1) {
            throw new IllegalArgumentException("definition version must be >= 1, was " + version);
        }
        content = JsonValues.freezeObject(Objects.requireNonNull(content, "content"));
    }
}
