package dev.baton.metrics;

import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RetryableException;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunStatus;
import dev.baton.plan.Plan;
import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters on the registry most users scrape. Prometheus refuses a meter name registered again with other tag
 * keys, and a listener's refused meter would fail on every event, so every meter must keep one set of tag keys.
 */
class PrometheusScrapeTest {

    @Test
    void everyKindOfMeterScrapesWithConsistentTags() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicInteger calls = new AtomicInteger();
        BatonMetrics metrics = BatonMetrics.builder(registry).tag("instance", "east").build();
        try (Orchestrator o = metrics.instrument(Orchestrator.builder().time(time).executor(Runnable::run)
                .retryPolicy(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .jitter(0).build())
                .service("payments", ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new RetryableException("busy");
                    }
                    return Map.of("ok", true);
                })
                .service("broken", ctx -> {
                    throw new IllegalStateException("always");
                })
                .webhooks((destination, result, first, onAttempt) -> {
                    WebhookAttempt a = new WebhookAttempt(result.runId(), destination, first, WebhookOutcome.DELIVERED,
                            200, null, time.instant(), null);
                    onAttempt.accept(a);
                    return CompletableFuture.completedFuture(a);
                })).build()) {
            metrics.bindTo(o);
            RunHandle good = o.submit(Plan.builder().task("pay", "payments", Map.of()).build(),
                    RunOptions.builder().webhook(URI.create("https://hooks.example.org/runs")).build());
            RunHandle bad = o.submit(Plan.builder().task("b", "broken", Map.of())
                    .task("after", "payments", Map.of("x", "$b")).build());
            time.advance(Duration.ofSeconds(1));
            assertThat(good.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(bad.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.FAILED);

            o.circuitBreaker("broken").forceOpen();
            o.circuitBreaker("broken").reset();

            String scrape = registry.scrape();

            assertThat(scrape)
                    .contains("baton_runs_started_total{instance=\"east\"} 2.0")
                    .contains("baton_runs_ended_total{instance=\"east\",status=\"COMPLETED\"} 1.0")
                    .contains("baton_runs_ended_total{instance=\"east\",status=\"FAILED\"} 1.0")
                    .contains("baton_tasks_attempts_ended_total{instance=\"east\",outcome=\"FAILED\",service=\"payments\"} 1.0")
                    .contains("baton_tasks_attempts_ended_total{instance=\"east\",outcome=\"COMPLETED\",service=\"payments\"} 1.0")
                    .contains("baton_tasks_attempts_ended_total{instance=\"east\",outcome=\"FAILED\",service=\"broken\"} 2.0")
                    .contains("baton_tasks_dead_letters_total{instance=\"east\",service=\"broken\"} 1.0")
                    .contains("baton_tasks_skipped_total{instance=\"east\",service=\"payments\"} 1.0")
                    .contains("baton_runs_active{instance=\"east\"} 0.0")
                    .contains("baton_webhooks_attempts_total{instance=\"east\",outcome=\"DELIVERED\"} 1.0")
                    .contains("baton_breaker_transitions_total{from=\"CLOSED\",instance=\"east\",service=\"broken\",to=\"OPEN\"} 1.0")
                    .contains("baton_breaker_transitions_total{from=\"OPEN\",instance=\"east\",service=\"broken\",to=\"CLOSED\"} 1.0")
                    .contains("baton_breaker_state{instance=\"east\",service=\"broken\"} 0.0")
                    .contains("baton_service_capacity{instance=\"east\",service=\"payments\"} 0.0");
            assertThat(scrape).as("no run, task or execution id in any label")
                    .doesNotContain(good.runId()).doesNotContain(bad.runId()).doesNotContain("\"pay\"")
                    .doesNotContain("\"after\"");
        } finally {
            metrics.close();
        }
    }
}
