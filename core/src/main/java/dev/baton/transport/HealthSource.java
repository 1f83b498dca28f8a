package dev.baton.transport;

/**
 * The health of remote services, as the engine sees it: ask for a service's current health, and subscribe to changes
 * so that tasks waiting for an unhealthy service can resume as soon as it recovers. Given to the orchestrator with
 * {@code Orchestrator.Builder.healthSource(...)}; the HTTP adapter's {@code HealthMonitor} and {@code HttpTransport}
 * (with health checks on) implement it. Implementations are thread-safe.
 *
 * <p>What the engine does: it dispatches a task when its service's {@link #health} is {@link ServiceHealth#HEALTHY}
 * or {@link ServiceHealth#UNKNOWN}. While the service is {@link ServiceHealth#UNHEALTHY}, the task waits in the
 * service's FIFO queue (no attempt used, no thread held), bounded by the orchestrator's health window; the next
 * {@link HealthListener#onChange} for the service to another state releases the waiting tasks in order. A task still
 * waiting when the window ends fails with {@code SERVICE_UNHEALTHY}.
 *
 * <p>{@code baton-transport-tck}'s {@code HealthSourceContractTest} checks what the gate relies on: an unchecked
 * service is {@code UNKNOWN}; each change is told once to every subscriber, in order, never with equal previous and
 * current health; {@link #health} agrees with the last change told; a closed subscription hears nothing more; a
 * listener that throws keeps no other from being told.
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
