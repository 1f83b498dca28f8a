package dev.baton.planner;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The services a plan may use, by name, each with its catalog version. Immutable and thread-safe.
 *
 * <p>The catalog version counts a service's registrations: 1 for the first, and one more each time the service is
 * registered again with a descriptor that differs (schemas, description or the descriptor's own {@code version}
 * label); registering an identical descriptor keeps it. It is the catalog's number, distinct from
 * {@link ServiceDescriptor#version()}, which is whatever label the service gives itself.
 */
public final class ServiceCatalog {

    private static final ServiceCatalog EMPTY = new ServiceCatalog(Map.of(), Map.of());

    private final Map<String, ServiceDescriptor> services;
    private final Map<String, Integer> versions;

    private ServiceCatalog(Map<String, ServiceDescriptor> services, Map<String, Integer> versions) {
        this.services = services;
        this.versions = versions;
    }

    /** @return a catalog with no services */
    public static ServiceCatalog empty() {
        return EMPTY;
    }

    /**
     * A catalog of the given services, in order, each at catalog version 1.
     *
     * @param services the descriptors; names must be unique
     * @return the catalog
     * @throws IllegalArgumentException if a name repeats
     */
    public static ServiceCatalog of(Collection<ServiceDescriptor> services) {
        Map<String, ServiceDescriptor> map = new LinkedHashMap<>();
        Map<String, Integer> vs = new LinkedHashMap<>();
        for (ServiceDescriptor d : services) {
            Objects.requireNonNull(d, "service descriptor");
            if (map.putIfAbsent(d.name(), d) != null) {
                throw new IllegalArgumentException("service '" + d.name() + "' is registered twice");
            }
            vs.put(d.name(), 1);
        }
        return new ServiceCatalog(java.util.Collections.unmodifiableMap(map), java.util.Collections.unmodifiableMap(vs));
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

    /**
     * The catalog version of a service: 1 for its first registration, one more per registration that changed its
     * descriptor.
     *
     * @param name service name
     * @return its version, if the catalog holds it
     */
    public OptionalInt version(String name) {
        Integer v = versions.get(name);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** @return every service's catalog version, by name, in registration order */
    public Map<String, Integer> versions() {
        return versions;
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
     * A catalog with one more service (at version 1), or with a service replaced: a descriptor that differs from the
     * one held gets the next version, an identical one keeps the version (and this catalog is returned).
     *
     * @param descriptor the descriptor to add or replace
     * @return the new catalog
     */
    public ServiceCatalog with(ServiceDescriptor descriptor) {
        Objects.requireNonNull(descriptor, "service descriptor");
        ServiceDescriptor held = services.get(descriptor.name());
        if (descriptor.equals(held)) {
            return this;
        }
        Map<String, ServiceDescriptor> map = new LinkedHashMap<>(services);
        map.put(descriptor.name(), descriptor);
        Map<String, Integer> vs = new LinkedHashMap<>(versions);
        vs.put(descriptor.name(), held == null ? 1 : versions.get(descriptor.name()) + 1);
        return new ServiceCatalog(java.util.Collections.unmodifiableMap(map), java.util.Collections.unmodifiableMap(vs));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceCatalog c && services.equals(c.services) && versions.equals(c.versions);
    }

    @Override
    public int hashCode() {
        return services.hashCode() * 31 + versions.hashCode();
    }

    @Override
    public String toString() {
        return "ServiceCatalog" + versions;
    }
}
