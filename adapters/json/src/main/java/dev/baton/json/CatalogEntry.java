package dev.baton.json;

import dev.baton.plan.JsonValues;
import dev.baton.planner.ServiceDescriptor;

import java.util.Map;
import java.util.Objects;

/**
 * One service of a catalog document: its descriptor and the fields the descriptor does not model (such as
 * {@code url}), kept for transports and other adapters. Immutable.
 *
 * @param descriptor the service descriptor
 * @param extra      every other field of the service's JSON object, as plain JSON values
 */
public record CatalogEntry(ServiceDescriptor descriptor, Map<String, Object> extra) {

    /**
     * Checks and freezes the components.
     *
     * @param descriptor the service descriptor
     * @param extra      every other field of the service's JSON object, as plain JSON values
     */
    public CatalogEntry {
        Objects.requireNonNull(descriptor, "descriptor");
        extra = JsonValues.freezeObject(extra);
    }
}
