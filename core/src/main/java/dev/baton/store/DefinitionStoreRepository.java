package dev.baton.store;

import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoredDefinition;
import dev.baton.planner.DefinitionConflictException;
import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.PlanDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link DefinitionRepository} over a store's {@link DefinitionStore} capability, so plan definitions persist with
 * the runs: in memory with {@link InMemoryRunStore}, durably with the JDBC store.
 *
 * <pre>{@code
 * RunStore store = JdbcRunStore.embedded(Path.of("data"));
 * DefinitionRepository definitions = DefinitionStoreRepository.of(store);
 * definitions.save(PlanDefinition.of("assist", 1, template, DefinitionParameter.required("customerId")));
 * }</pre>
 *
 * <p>Thread-safe when the store is. Definitions are immutable once saved: saving the same name and version again
 * with identical content does nothing, with other content throws {@link DefinitionConflictException}.
 */
public final class DefinitionStoreRepository implements DefinitionRepository {

    private final DefinitionStore store;

    private DefinitionStoreRepository(DefinitionStore store) {
        this.store = store;
    }

    /**
     * @param store a store with the definition capability
     * @return a repository over it
     */
    public static DefinitionStoreRepository of(DefinitionStore store) {
        return new DefinitionStoreRepository(Objects.requireNonNull(store, "store"));
    }

    /**
     * @param store a run store
     * @return a repository over it
     * @throws IllegalArgumentException if the store cannot keep definitions
     */
    public static DefinitionStoreRepository of(RunStore store) {
        Objects.requireNonNull(store, "store");
        if (!(store instanceof DefinitionStore ds)) {
            throw new IllegalArgumentException("store " + store.getClass().getSimpleName()
                    + " cannot keep plan definitions (it does not implement DefinitionStore)");
        }
        return new DefinitionStoreRepository(ds);
    }

    @Override
    public boolean save(PlanDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        if (store.saveDefinition(new StoredDefinition(definition.name(), definition.version(), definition.toJson()))) {
            return true;
        }
        PlanDefinition existing = get(definition.name(), definition.version()).orElse(null);
        if (definition.equals(existing)) {
            return false;
        }
        throw new DefinitionConflictException(definition.name(), definition.version());
    }

    @Override
    public Optional<PlanDefinition> get(String name, int version) {
        return store.definition(Objects.requireNonNull(name, "name"), version).map(DefinitionStoreRepository::read);
    }

    @Override
    public Optional<PlanDefinition> latest(String name) {
        return store.latestDefinition(Objects.requireNonNull(name, "name")).map(DefinitionStoreRepository::read);
    }

    @Override
    public List<PlanDefinition> list() {
        List<PlanDefinition> out = new ArrayList<>();
        for (StoredDefinition d : store.definitions()) {
            out.add(read(d));
        }
        return List.copyOf(out);
    }

    private static PlanDefinition read(StoredDefinition d) {
        return PlanDefinition.fromJson(d.content());
    }

    @Override
    public String toString() {
        return "DefinitionStoreRepository[" + store.getClass().getSimpleName() + "]";
    }
}
