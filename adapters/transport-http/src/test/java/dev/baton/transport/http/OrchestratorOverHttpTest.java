package dev.baton.transport.http;

import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.ServiceOptions;
import dev.baton.event.RunEvent;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.service.IdempotentService;
import dev.baton.service.ServiceHttpServer;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** End to end: the engine calls real loopback services through the HTTP transport. */
class OrchestratorOverHttpTest {

    private static final ServiceOptions OPTIONS = ServiceOptions.builder().timeout(Duration.ofSeconds(10)).build();

    @Test
    void aPlanRunsOverHttpAndEachEffectHappensOnce() throws Exception {
        AtomicInteger customerCalls = new AtomicInteger();
        AtomicInteger agentCalls = new AtomicInteger();
        try (ServiceHttpServer kit = ServiceHttpServer.builder()
                .service("customer-service", IdempotentService.builder(r -> {
                    customerCalls.incrementAndGet();
                    return Map.of("name", "Ada", "id", r.input().get("customerId"));
                }).build())
                .service("order-system", IdempotentService.builder(r -> Map.of("details",
                        Map.of("order", r.input().get("orderId"), "total", 42))).build())
                .service("ai-agent", IdempotentService.builder(r -> {
                    agentCalls.incrementAndGet();
                    return Map.of("reply", "hello " + ((Map<?, ?>) r.input().get("customerData")).get("name"));
                }).build())
                .start()) {
            HttpTransport http = HttpTransport.builder()
                    .service("customer-service", kit.uri("customer-service"))
                    .service("order-system", kit.uri("order-system"))
                    .service("ai-agent", kit.uri("ai-agent"))
                    .build();
            InMemoryRunStore store = new InMemoryRunStore();
            try (Orchestrator o = Orchestrator.builder().store(store)
                    .remoteService(ServiceDescriptor.of("customer-service"), http, OPTIONS)
                    .remoteService(ServiceDescriptor.of("order-system"), http, OPTIONS)
                    .remoteService(ServiceDescriptor.of("ai-agent"), http, OPTIONS)
                    .build()) {
                Plan plan = Plan.builder()
                        .params(Map.of("customerId", "CUST789", "orderId", "ORD456"))
                        .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                        .task("task2", "order-system", Map.of("orderId", "$task0.orderId"))
                        .task("task3", "ai-agent", Map.of("customerData", "$task1", "orderData", "$task2.details"))
                        .build();
                RunResult r = o.submit(plan, RunOptions.builder().runId("order-ORD456").build())
                        .await(Duration.ofSeconds(30));
                assertThat(r.isCompleted()).isTrue();
                assertThat(r.output("task3")).isEqualTo(Map.of("reply", "hello Ada"));
                assertThat(r.output("task2")).isEqualTo(Map.of("details", Map.of("order", "ORD456", "total", 42)));

                // the same run id again: the engine reuses the run; the kit would dedupe anyway
                o.submit(plan, RunOptions.builder().runId("order-ORD456").build()).await(Duration.ofSeconds(30));
                assertThat(customerCalls).hasValue(1);
                assertThat(agentCalls).hasValue(1);
            }
        }
    }

    @Test
    void aCanaryCredentialNeverReachesTheStoreTheResultOrTheInspectView() throws Exception {
        String canary = HttpTransportTest.CANARY;
        try (FakeServer echo = new FakeServer((ex, body) -> FakeServer.respond(ex, 500,
                "{\"error\":\"upstream refused " + ex.getRequestHeaders().getFirst("Authorization") + "\"}"))) {
            HttpTransport http = HttpTransport.builder().service("billing", echo.uri("/billing"))
                    .credentialEnv("billing", "BILLING_TOKEN").env(n -> n.equals("BILLING_TOKEN") ? canary : null)
                    .build();
            InMemoryRunStore store = new InMemoryRunStore();
            try (Orchestrator o = Orchestrator.builder().store(store)
                    .remoteService(ServiceDescriptor.of("billing"), http, OPTIONS).build()) {
                Plan plan = Plan.builder().params(Map.of("amount", 10))
                        .task("charge", "billing", Map.of("amount", "$task0.amount")).build();
                RunResult r = o.submit(plan, RunOptions.builder().runId("charge-1").build())
                        .await(Duration.ofSeconds(30));

                assertThat(echo.received).isNotEmpty();
                assertThat(echo.received.get(0).headers().getFirst("Authorization")).isEqualTo("Bearer " + canary);
                assertThat(r.isCompleted()).isFalse();
                assertThat(r.error()).isPresent();
                assertThat(r.error().get().code()).isEqualTo("HANDLER_ERROR");
                assertThat(r.error().get().message()).startsWith("[" + HttpTransportException.UNAVAILABLE + "]");
                assertThat(r.error().get().message()).contains("[REDACTED]").doesNotContain(canary);
                assertThat(r.toString()).doesNotContain(canary);
                List<RunEvent> events = store.events("charge-1");
                assertThat(events).isNotEmpty();
                assertThat(events.toString()).doesNotContain(canary);
                assertThat(o.inspect("charge-1").orElseThrow().toString()).doesNotContain(canary);
                assertThat(http.toString()).doesNotContain(canary);
            }
        }
    }
}
