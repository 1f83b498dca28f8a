package dev.baton.transport;

/**
 * What the last probes said about a remote service.
 */
public enum ServiceHealth {
    /** No probe has completed yet, or the service is not monitored. Tasks should proceed. */
    UNKNOWN,
    /** The last probe succeeded. */
    HEALTHY,
    /** The last probes failed (as many in a row as configured). Tasks should wait, bounded. */
    UNHEALTHY
}
