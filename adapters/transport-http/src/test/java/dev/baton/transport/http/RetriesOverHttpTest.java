package dev.baton.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.ServiceOptions;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.service.IdempotentService;
import dev.baton.service.ServiceHttpServer;
import dev.baton.service.ServiceRequest;
import dev.baton.store.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's default retry policy over real HTTP: the transport's verdicts drive it. */
class RetriesOverHttpTest {

    private static final ServiceOptions OPTIONS = ServiceOptions.builder().timeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunResult run(FakeServer server, InMemoryRunStore store, String runId) {
        HttpTransport http = HttpTransport.builder().service("payments", server.uri("/payments")).build();
        try (Orchestrator o = Orchestrator.builder().store(store)
                .remoteService(ServiceDescriptor.of("payments"), http, OPTIONS).build()) {
            Plan plan = Plan.builder().params(Map.of("amount", 10))
                    .task("charge", "payments", Map.of("amount", "$task0.amount")).build();
            return o.submit(plan, RunOptions.builder().runId(runId).build()).await(Duration.ofSeconds(30));
        }
    }

    @Test
    void twoFailedDeliveriesThenSuccessDoNotFailTheRunAndTheEffectHappensOnce() throws Exception {
        AtomicInteger effects = new AtomicInteger();
        IdempotentService kit = IdempotentService.builder(r -> Map.of("charged", effects.incrementAndGet())).build();
        AtomicInteger calls = new AtomicInteger();
        try (FakeServer server = new FakeServer((ex, body) -> {
            ServiceRequest r = ServiceHttpServer.readRequest(new ByteArrayInputStream(body), null);
            int n = calls.incrementAndGet();
            if (n == 1) {
                FakeServer.respond(ex, 503, "{\"error\":\"warming up\"}");
                return;
            }
            Object out = kit.execute(r);
            if (n == 2) {
                throw new IOException("dropping the connection after doing the work");
            }
            FakeServer.respond(ex, 200, JSON.writeValueAsString(out));
        })) {
            InMemoryRunStore store = new InMemoryRunStore();
            RunResult r = run(server, store, "pay-1");

            assertThat(r.isCompleted()).isTrue();
            assertThat(r.output("charge")).isEqualTo(Map.of("charged", 1));
            assertThat(calls).hasValue(3);
            assertThat(effects).hasValue(1);
            assertThat(server.received).extracting(x -> x.headers().getFirst("Baton-Attempt"))
                    .containsExactly("1", "2", "3");
            assertThat(server.received).extracting(x -> x.headers().getFirst("Idempotency-Key"))
                    .containsOnly("pay-1/charge");
            assertThat(store.events("pay-1")).filteredOn(TaskRetryScheduled.class::isInstance).hasSize(2);
        }
    }

    @Test
    void a429WithRetryAfterIsRetriedAndARejectionIsNot() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (FakeServer server = new FakeServer((ex, body) -> {
            if (calls.incrementAndGet() == 1) {
                ex.getResponseHeaders().set("Retry-After", "1");
                FakeServer.respond(ex, 429, "");
            } else {
                FakeServer.respond(ex, 200, "{\"ok\":true}");
            }
        })) {
            RunResult r = run(server, new InMemoryRunStore(), "pay-2");
            assertThat(r.isCompleted()).isTrue();
            assertThat(calls).hasValue(2);
        }
        AtomicInteger rejected = new AtomicInteger();
        try (FakeServer server = new FakeServer((ex, body) -> {
            rejected.incrementAndGet();
            FakeServer.respond(ex, 422, "{\"error\":\"amount too large\"}");
        })) {
            RunResult r = run(server, new InMemoryRunStore(), "pay-3");
            assertThat(r.isCompleted()).isFalse();
            assertThat(rejected).hasValue(1);
            assertThat(r.error().orElseThrow().code()).isEqualTo("HANDLER_ERROR");
            assertThat(r.error().orElseThrow().message()).startsWith("[" + HttpTransportException.REJECTED + "]");
        }
    }
}
