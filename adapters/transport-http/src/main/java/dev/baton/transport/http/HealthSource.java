package dev.baton.transport.http;

/**
 * The health of remote services, as the engine sees it: ask for a service's current health, and subscribe to changes
 * so that tasks waiting for an unhealthy service can resume as soon as it recovers. Implementations are thread-safe.
 *
 * <p>Contract for the engine: dispatch when {@link #health} is {@link ServiceHealth#HEALTHY} or
 * {@link ServiceHealth#UNKNOWN}; while {@link ServiceHealth#UNHEALTHY}, hold the task (bounded by the health window)
 * and re-check on every {@link HealthListener#onChange} for that service.
 */
public interface HealthSource {

    /**
     * @param service a service name
     * @return its current health; {@link ServiceHealth#UNKNOWN} for a service that is not monitored
     */
    ServiceHealth health(String service);

    /**
     * Subscribes to health changes of every monitored service.
     *
     * @param listener told on each change
     * @return call {@link AutoCloseable#close()} to unsubscribe; idempotent, never throws
     */
    Subscription subscribe(HealthListener listener);

    /** A subscription to health changes. */
    interface Subscription extends AutoCloseable {
        /** Stops the notifications. Idempotent. */
        @Override
        void close();
    }
}
