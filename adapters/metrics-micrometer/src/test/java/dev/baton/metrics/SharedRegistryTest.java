package dev.baton.metrics;

import dev.baton.Orchestrator;
import dev.baton.ServiceOptions;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.time.ManualTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two orchestrators on one registry: with a tag that tells them apart each binder's gauges read its own orchestrator;
 * without one the second binding fails, instead of its gauges reading the first orchestrator.
 */
class SharedRegistryTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<CompletableFuture<Object>> held = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        held.forEach(f -> f.complete("done")); // nothing left for close() to wait for
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private BatonMetrics metrics(String... tag) {
        BatonMetrics.Builder b = BatonMetrics.builder(registry).statusMaxAge(Duration.ZERO);
        if (tag.length == 2) {
            b.tag(tag[0], tag[1]);
        }
        BatonMetrics m = b.build();
        closing.add(m);
        return m;
    }

    /** An orchestrator whose runs stay active: its one service answers when the test ends. */
    private Orchestrator hanging(BatonMetrics m, int runs) {
        Orchestrator o = m.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                .asyncService(ServiceDescriptor.of("gate"), ctx -> hold(),
                        ServiceOptions.builder().capacity(10).build()))
                .build();
        closing.add(0, o);
        for (int i = 0; i < runs; i++) {
            o.submit(Plan.builder().task("a", "gate", Map.of()).build());
        }
        return o;
    }

    private CompletableFuture<Object> hold() {
        CompletableFuture<Object> f = new CompletableFuture<>();
        held.add(f);
        return f;
    }

    @Test
    void withATagEachBindersGaugesReadItsOwnOrchestratorAndOutliveTheOthersClose() {
        BatonMetrics east = metrics("instance", "east");
        BatonMetrics west = metrics("instance", "west");
        east.bindTo(hanging(east, 1));
        west.bindTo(hanging(west, 2));

        assertThat(registry.get("baton.runs.active").tag("instance", "east").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("baton.runs.active").tag("instance", "west").gauge().value()).isEqualTo(2.0);
        assertThat(registry.get("baton.service.in.flight").tag("instance", "west").tag("service", "gate").gauge()
                .value()).isEqualTo(2.0);

        east.close();
        assertThat(registry.find("baton.runs.active").tag("instance", "east").gauge()).isNull();
        assertThat(registry.get("baton.runs.active").tag("instance", "west").gauge().value()).isEqualTo(2.0);
    }

    @Test
    void withoutATagTheSecondBindingFailsAndSaysWhy() {
        BatonMetrics first = metrics();
        BatonMetrics second = metrics();
        first.bindTo(hanging(first, 1));
        Orchestrator other = hanging(second, 2);

        assertThatThrownBy(() -> second.bindTo(other)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another BatonMetrics").hasMessageContaining("tag");
        // the first binder's gauges are untouched, and the failed binder took nothing of the registry
        assertThat(registry.get("baton.runs.active").gauge().value()).isEqualTo(1.0);
        second.close();
        assertThat(registry.get("baton.runs.active").gauge().value()).isEqualTo(1.0);

        // once the first is closed, a binder with the same tags binds
        first.close();
        BatonMetrics next = metrics();
        next.bindTo(other);
        assertThat(registry.get("baton.runs.active").gauge().value()).isEqualTo(2.0);
    }
}
