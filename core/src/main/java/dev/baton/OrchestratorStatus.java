package dev.baton;

import dev.baton.transport.ServiceHealth;

import java.util.Map;

/**
 * A snapshot of an orchestrator's load (the seeds' {@code get_status} and pool status). Immutable.
 *
 * @param activeRuns   runs in flight in this instance
 * @param runningTasks attempts running now
 * @param services     per service, by name
 */
public record OrchestratorStatus(int activeRuns, int runningTasks, Map<String, ServiceStatus> services) {

    /**
     * Freezes the map.
     *
     * @param activeRuns   runs in flight in this instance
     * @param runningTasks attempts running now
     * @param services     per service, by name
     */
    public OrchestratorStatus {
        services = Map.copyOf(services);
    }

    /**
     * One service's load.
     *
     * @param name         service name
     * @param inFlight     its attempts running now
     * @param queued       its tasks waiting for a slot of its capacity
     * @param capacity     its capacity, 0 for unlimited
     * @param utilisation  inFlight / capacity (0 when unlimited)
     * @param breakerState its circuit breaker's state
     * @param health       its health as the orchestrator's health sources report it ({@code UNKNOWN} when none
     *                     monitors it)
     * @param waitingForHealth its tasks waiting for it to recover (not counted in {@code queued})
     */
    public record ServiceStatus(String name, int inFlight, int queued, int capacity, double utilisation,
                                CircuitBreakerState breakerState, ServiceHealth health, int waitingForHealth) {

        /**
         * Checks the components.
         *
         * @param name         service name
         * @param inFlight     its attempts running now
         * @param queued       its tasks waiting for a slot of its capacity
         * @param capacity     its capacity, 0 for unlimited
         * @param utilisation  inFlight / capacity (0 when unlimited)
         * @param breakerState its circuit breaker's state
         * @param health       its health as the orchestrator's health sources report it ({@code UNKNOWN} when none
         *                     monitors it)
         * @param waitingForHealth its tasks waiting for it to recover (not counted in {@code queued})
         */
        public ServiceStatus {
            java.util.Objects.requireNonNull(health, "health");
        }

        /**
         * A status without health information: {@code UNKNOWN}, nothing waiting.
         *
         * @param name         service name
         * @param inFlight     its attempts running now
         * @param queued       its tasks waiting for a slot of its capacity
         * @param capacity     its capacity, 0 for unlimited
         * @param utilisation  inFlight / capacity (0 when unlimited)
         * @param breakerState its circuit breaker's state
         */
        public ServiceStatus(String name, int inFlight, int queued, int capacity, double utilisation,
                             CircuitBreakerState breakerState) {
            this(name, inFlight, queued, capacity, utilisation, breakerState, ServiceHealth.UNKNOWN, 0);
        }
    }
}
