package dev.baton.planner;

import java.util.List;
import java.util.Optional;

/**
 * Where {@link PlanDefinition plan definitions} are kept. Definitions are immutable once saved: saving the same name
 * and version again with the same content does nothing, with other content fails.
 *
 * <p>Implementations must be thread-safe. The core offers one over any run store that can keep definitions, and an
 * in-memory one is {@link #inMemory()}. Every implementation should pass {@code baton-planner-tck}'s
 * {@code DefinitionRepositoryContractTest}.
 */
public interface DefinitionRepository {

    /**
     * Saves a definition.
     *
     * @param definition the definition
     * @return true if it was saved, false if the identical definition was already there
     * @throws DefinitionConflictException if the name and version are saved with other content
     */
    boolean save(PlanDefinition definition);

    /**
     * @param name    the definition name
     * @param version the version
     * @return that version, if saved
     */
    Optional<PlanDefinition> get(String name, int version);

    /**
     * @param name the definition name
     * @return its highest saved version, if any
     */
    Optional<PlanDefinition> latest(String name);

    /** @return every saved definition, by name (in code point order) then version */
    List<PlanDefinition> list();

    /** @return a new, empty, in-memory repository */
    static DefinitionRepository inMemory() {
        return new InMemoryDefinitionRepository();
    }
}
