package dev.baton.persistence;

import java.util.List;
import java.util.Optional;

/**
 * An optional capability of a {@link RunStore}: keeping saved plan definitions (named, versioned plan templates) as
 * plain JSON values. The core turns a store with this capability into a definition repository.
 *
 * <p>Definitions are immutable once saved: {@link #saveDefinition} never overwrites. Implementations must be
 * thread-safe, and two concurrent saves of one name and version must leave exactly one of them stored.
 */
public interface DefinitionStore {

    /**
     * Saves a definition unless one with the same name and version is already stored.
     *
     * @param definition the definition
     * @return true if it was saved, false if that name and version were already stored (whatever their content)
     * @throws StoreException if the store failed; nothing was written
     */
    boolean saveDefinition(StoredDefinition definition);

    /**
     * @param name    the definition name
     * @param version the version
     * @return that version, if stored
     * @throws StoreException if the store failed
     */
    Optional<StoredDefinition> definition(String name, int version);

    /**
     * @param name the definition name
     * @return its highest stored version, if any
     * @throws StoreException if the store failed
     */
    Optional<StoredDefinition> latestDefinition(String name);

    /**
     * @return every stored definition, ordered by name then version
     * @throws StoreException if the store failed
     */
    List<StoredDefinition> definitions();
}
