package dev.baton.metrics;

import dev.baton.Orchestrator;
import dev.baton.RunStatus;
import dev.baton.plan.Plan;
import dev.baton.time.ManualTime;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder's settings: checked as they are made, and applied. */
class ConfigurationTest {

    private final ManualTime time = new ManualTime();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void settingsAreChecked() {
        BatonMetrics.Builder b = BatonMetrics.builder(registry);
        assertThatThrownBy(() -> BatonMetrics.builder(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.maxServices(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxTrackedRuns(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.statusMaxAge(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.statusMaxAge(null)).isInstanceOf(NullPointerException.class);
        for (String own : new String[] {"service", "status", "outcome", "from", "to"}) {
            assertThatThrownBy(() -> b.tag(own, "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(own);
        }
        assertThat(b.statusMaxAge(Duration.ofSeconds(Long.MAX_VALUE)).build()).isNotNull(); // saturates
    }

    @Test
    void commonTagsGoOnEveryMeter() {
        try (BatonMetrics metrics = BatonMetrics.builder(registry).tag("instance", "east")
                .tags(Tags.of("app", "orders")).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .service("svc", ctx -> 1)).build()) {
            metrics.bindTo(o);
            assertThat(o.submit(Plan.builder().task("a", "svc", Map.of()).build()).result().getNow(null).status())
                    .isEqualTo(RunStatus.COMPLETED);
            assertThat(registry.getMeters()).hasSizeGreaterThan(10);
            for (Meter m : registry.getMeters()) {
                assertThat(m.getId().getTag("instance")).as(Meters.id(m)).isEqualTo("east");
                assertThat(m.getId().getTag("app")).as(Meters.id(m)).isEqualTo("orders");
            }
        }
    }

    @Test
    void servicesPastTheBoundCountTogether() {
        try (BatonMetrics metrics = BatonMetrics.builder(registry).maxServices(2).build();
             Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                     .service("one", ctx -> 1).service("two", ctx -> 2).service("three", ctx -> 3)
                     .service("four", ctx -> 4)).build()) {
            o.submit(Plan.builder().task("a", "one", Map.of()).task("b", "two", Map.of())
                    .task("c", "three", Map.of()).task("d", "four", Map.of()).build());
            assertThat(registry.find("baton.tasks.attempts.started").counters()).hasSize(3);
            assertThat(registry.get("baton.tasks.attempts.started").tag("service", "one").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("baton.tasks.attempts.started").tag("service", "two").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("baton.tasks.attempts.started").tag("service", BatonMetrics.OTHER_SERVICE)
                    .counter().count()).isEqualTo(2);
            assertThat(registry.get("baton.tasks.attempts.ended").tag("service", BatonMetrics.OTHER_SERVICE)
                    .tag("outcome", "COMPLETED").counter().count()).isEqualTo(2);
            // the gauges, bound after, are made for the services with meters of their own only
            metrics.bindTo(o);
            assertThat(registry.find("baton.service.in.flight").gauges()).hasSize(2);
        }
    }

    @Test
    void instrumentAddsBothListenersAndClosedMetricsIgnoreWhatComes() {
        BatonMetrics metrics = BatonMetrics.builder(registry).build();
        try (Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                .service("svc", ctx -> 1)).build()) {
            o.submit(Plan.builder().task("a", "svc", Map.of()).build());
            o.circuitBreaker("svc").forceOpen();
            assertThat(registry.get("baton.runs.started").counter().count()).isEqualTo(1);
            assertThat(registry.get("baton.breaker.transitions").tags("service", "svc", "from", "CLOSED", "to", "OPEN")
                    .counter().count()).isEqualTo(1);

            metrics.close();
            o.circuitBreaker("svc").reset();
            o.submit(Plan.builder().task("a", "svc", Map.of()).build());
            assertThat(registry.get("baton.runs.started").counter().count()).isEqualTo(1);
            assertThat(registry.find("baton.breaker.transitions").tags("to", "CLOSED").counter()).isNull();
            assertThat(metrics.trackedRuns()).isZero();
        }
    }
}
