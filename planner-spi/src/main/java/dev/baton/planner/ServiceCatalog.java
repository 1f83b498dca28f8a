package dev.baton.planner;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The services a plan may use, by name. Immutable and thread-safe.
 */
public final class ServiceCatalog {

    private static final ServiceCatalog EMPTY = new ServiceCatalog(Map.of());

    private final Map<String, ServiceDescriptor> services;

    private ServiceCatalog(Map<String, ServiceDescriptor> services) {
        this.services = services;
    }

    /** @return a catalog with no services */
    public static ServiceCatalog empty() {
        return EMPTY;
    }

    /**
     * A catalog of the given services, in order.
     *
     * @param services the descriptors; names must be unique
     * @return the catalog
     * @throws IllegalArgumentException if a name repeats
     */
    public static ServiceCatalog of(Collection<ServiceDescriptor> services) {
        Map<String, ServiceDescriptor> map = new LinkedHashMap<>();
        for (ServiceDescriptor d : services) {
            Objects.requireNonNull(d, "service descriptor");
            if (map.putIfAbsent(d.name(), d) != null) {
                throw new IllegalArgumentException("service '" + d.name() + "' is registered twice");
            }
        }
        return new ServiceCatalog(java.util.Collections.unmodifiableMap(map));
    }

    /**
     * A catalog of the given services.
     *
     * @param services the descriptors
     * @return the catalog
     */
    public static ServiceCatalog of(ServiceDescriptor... services) {
        return of(List.of(services));
    }

    /**
     * Looks a service up.
     *
     * @param name service name
     * @return its descriptor, if known
     */
    public Optional<ServiceDescriptor> find(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /**
     * @param name service name
     * @return whether the catalog holds it
     */
    public boolean contains(String name) {
        return services.containsKey(name);
    }

    /** @return every descriptor in registration order */
    public Collection<ServiceDescriptor> services() {
        return services.values();
    }

    /** @return the number of services */
    public int size() {
        return services.size();
    }

    /**
     * A catalog with one more service, or with a service replaced.
     *
     * @param descriptor the descriptor to add or replace
     * @return the new catalog
     */
    public ServiceCatalog with(ServiceDescriptor descriptor) {
        Map<String, ServiceDescriptor> map = new LinkedHashMap<>(services);
        map.put(descriptor.name(), descriptor);
        return new ServiceCatalog(java.util.Collections.unmodifiableMap(map));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceCatalog c && services.equals(c.services);
    }

    @Override
    public int hashCode() {
        return services.hashCode();
    }

    @Override
    public String toString() {
        return "ServiceCatalog" + services.keySet();
    }
}
