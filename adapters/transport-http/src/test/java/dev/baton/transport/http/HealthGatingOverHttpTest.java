package dev.baton.transport.http;

import dev.baton.Orchestrator;
import dev.baton.OrchestratorStatus;
import dev.baton.RunHandle;
import dev.baton.RunListener;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.ServiceHealthChange;
import dev.baton.ServiceOptions;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.time.ManualTime;
import dev.baton.transport.ServiceHealth;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine gates dispatch on a real service's health endpoint, probed over loopback HTTP; time moves by hand. */
class HealthGatingOverHttpTest {

    private final ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
    private final BlockingQueue<ServiceHealthChange> changes = new LinkedBlockingQueue<>();
    private volatile boolean healthy;

    private ServiceHealthChange nextChange() throws InterruptedException {
        ServiceHealthChange c = changes.poll(20, TimeUnit.SECONDS);
        assertThat(c).as("a health change was reported").isNotNull();
        return c;
    }

    @Test
    void tasksWaitWhileTheHealthEndpointFailsProceedWhenItRecoversAndFailAfterTheWindow() throws Exception {
        try (FakeServer orders = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/health")) {
                FakeServer.respond(ex, healthy ? 200 : 503, "");
            } else {
                FakeServer.respond(ex, 200, "{\"order\":\"ORD456\"}");
            }
        })) {
            HttpTransport http = HttpTransport.builder().service("order-system", orders.uri("/orders")).clock(time)
                    .healthChecks(time, Duration.ofSeconds(10), Duration.ofSeconds(2)).build();
            InMemoryRunStore store = new InMemoryRunStore();
            try (Orchestrator o = Orchestrator.builder().time(time).store(store)
                    .remoteService(ServiceDescriptor.of("order-system"), http,
                            ServiceOptions.builder().timeout(Duration.ofSeconds(5)).build())
                    .healthSource(http).healthWindow(Duration.ofMinutes(5))
                    .listener(new RunListener() {
                        @Override
                        public void onEvent(RunEvent event) {
                        }

                        @Override
                        public void onServiceHealth(ServiceHealthChange change) {
                            changes.add(change);
                        }
                    }).build()) {
                time.runDue();                                    // the first probe: 503
                assertThat(nextChange().current()).isEqualTo(ServiceHealth.UNHEALTHY);

                Plan plan = Plan.builder().task("details", "order-system", Map.of("orderId", "ORD456")).build();
                RunHandle h = o.submit(plan, RunOptions.builder().runId("h-1").build());
                OrchestratorStatus.ServiceStatus st = o.status().services().get("order-system");
                assertThat(st.health()).isEqualTo(ServiceHealth.UNHEALTHY);
                assertThat(st.waitingForHealth()).isEqualTo(1);
                assertThat(orders.received).extracting(FakeServer.Received::path).containsOnly("/health");
                assertThat(store.events("h-1")).noneMatch(e -> e instanceof TaskStarted);

                healthy = true;
                time.advance(Duration.ofSeconds(10));             // the next probe: 200
                assertThat(nextChange().current()).isEqualTo(ServiceHealth.HEALTHY);
                RunResult r = h.await(Duration.ofSeconds(20));
                assertThat(r.isCompleted()).isTrue();
                assertThat(r.output("details")).isEqualTo(Map.of("order", "ORD456"));
                assertThat(orders.received).filteredOn(q -> q.path().equals("/orders")).singleElement()
                        .satisfies(q -> assertThat(q.headers().getFirst("Baton-Attempt")).isEqualTo("1"));

                healthy = false;
                time.advance(Duration.ofSeconds(10));             // 503 again
                assertThat(nextChange().current()).isEqualTo(ServiceHealth.UNHEALTHY);
                RunHandle late = o.submit(plan, RunOptions.builder().runId("h-2").build());
                time.advance(Duration.ofMinutes(5));              // probes keep failing; the window ends
                RunResult failed = late.await(Duration.ofSeconds(20));
                assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
                assertThat(failed.error()).get().extracting(dev.baton.RunError::code).isEqualTo("SERVICE_UNHEALTHY");
                assertThat(orders.received).filteredOn(q -> q.path().equals("/orders")).hasSize(1);
            }
            assertThat(LogInvariants.check(store.events("h-1"))).isEmpty();
            assertThat(LogInvariants.check(store.events("h-2"))).isEmpty();
        }
    }
}
