package dev.baton.transport.http;

import dev.baton.time.ManualTime;
import dev.baton.transport.HealthSource;
import dev.baton.transport.tck.HealthSourceContractTest;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The health source kit run on {@link HealthMonitor} with an in-process probe, two failed checks in a row making a
 * service unhealthy. {@link #wrap} lets the kit's own test break it.
 */
class HealthMonitorContractTest extends HealthSourceContractTest {

    private HealthMonitor monitor;

    @Override
    protected HealthSource start(String service, ManualTime time, BooleanSupplier healthy) {
        monitor = HealthMonitor.builder()
                .services(Set.of(service))
                .scheduler(time)
                .clock(time)
                .interval(checkInterval())
                .heartbeatTimeout(Duration.ofSeconds(1))
                .unhealthyAfter(2)
                .probe(s -> CompletableFuture.completedFuture(healthy.getAsBoolean()))
                .build();
        monitor.start();
        return wrap(monitor);
    }

    /**
     * @param source the monitor
     * @return the source the kit checks: the monitor itself here
     */
    HealthSource wrap(HealthSource source) {
        return source;
    }

    @Override
    protected Duration checkInterval() {
        return Duration.ofSeconds(5);
    }

    @Override
    protected void stop() {
        monitor.close();
    }
}
