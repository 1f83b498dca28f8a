package dev.baton;

import dev.baton.transport.ServiceHealth;

import java.time.Instant;
import java.util.Objects;

/**
 * A remote service's health changed, as a {@link dev.baton.transport.HealthSource} reported it to the orchestrator;
 * delivered to {@link RunListener#onServiceHealth}. Immutable.
 *
 * @param service  the service
 * @param previous its health before
 * @param current  its health now
 * @param at       when the change was observed
 * @param waiting  tasks of this service waiting for it to recover, after the change was applied (0 once it is no
 *                 longer unhealthy: they have been released)
 */
public record ServiceHealthChange(String service, ServiceHealth previous, ServiceHealth current, Instant at,
                                  int waiting) {

    /**
     * Checks the components.
     *
     * @param service  the service
     * @param previous its health before
     * @param current  its health now
     * @param at       when the change was observed
     * @param waiting  tasks of this service waiting for it to recover, after the change was applied (0 once it is no
     *                 longer unhealthy: they have been released)
     */
    public ServiceHealthChange {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(at, "at");
    }
}
