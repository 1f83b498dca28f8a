package dev.baton.transport;

import java.time.Instant;

/**
 * Told when a service's health changes. Called on the thread that completed the probe; must be quick and must not
 * throw (a throwing listener is logged and skipped).
 */
@FunctionalInterface
public interface HealthListener {

    /**
     * @param service  the service
     * @param previous its health before
     * @param current  its health now, never equal to {@code previous}
     * @param at       when the change was observed, by the monitor's clock
     */
    void onChange(String service, ServiceHealth previous, ServiceHealth current, Instant at);
}
