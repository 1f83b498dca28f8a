package dev.baton.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A thread-safe {@link DefinitionRepository} in memory. */
final class InMemoryDefinitionRepository implements DefinitionRepository {

    private final TreeMap<String, TreeMap<Integer, PlanDefinition>> byName = new TreeMap<>();

    @Override
    public synchronized boolean save(PlanDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        TreeMap<Integer, PlanDefinition> versions = byName.computeIfAbsent(definition.name(), n -> new TreeMap<>());
        PlanDefinition existing = versions.putIfAbsent(definition.version(), definition);
        if (existing == null) {
            return true;
        }
        if (existing.equals(definition)) {
            return false;
        }
        throw new DefinitionConflictException(definition.name(), definition.version());
    }

    @Override
    public synchronized Optional<PlanDefinition> get(String name, int version) {
        TreeMap<Integer, PlanDefinition> versions = byName.get(name);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    @Override
    public synchronized Optional<PlanDefinition> latest(String name) {
        TreeMap<Integer, PlanDefinition> versions = byName.get(name);
        return versions == null || versions.isEmpty() ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
    }

    @Override
    public synchronized List<PlanDefinition> list() {
        List<PlanDefinition> all = new ArrayList<>();
        for (Map<Integer, PlanDefinition> versions : byName.values()) {
            all.addAll(versions.values());
        }
        return all;
    }
}
