package dev.baton.transport.http;

import java.util.concurrent.CompletionStage;

/**
 * Checks one service once. Must not block: start the check and return a stage that completes {@code true} when the
 * service is up, {@code false} or exceptionally when it is not. A probe that has not completed within the monitor's
 * heartbeat timeout counts as failed.
 */
@FunctionalInterface
public interface HealthProbe {

    /**
     * @param service the service to check
     * @return a stage completing with whether the service is up
     */
    CompletionStage<Boolean> probe(String service);
}
