package dev.baton.metrics;

import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RetryableException;
import dev.baton.RunHandle;
import dev.baton.RunStatus;
import dev.baton.plan.Plan;
import dev.baton.time.ManualTime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters on the registry most users scrape. Prometheus refuses a meter name registered again with other tag
 * keys, and a listener's refused meter would fail on every event, so every meter must keep one set of tag keys.
 */
class PrometheusScrapeTest {

    @Test
    void aRunWithARetryAndADeadLetterScrapesWithConsistentTags() {
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
                })).build()) {
            metrics.bindTo(o);
            RunHandle good = o.submit(Plan.builder().task("pay", "payments", Map.of()).build());
            RunHandle bad = o.submit(Plan.builder().task("b", "broken", Map.of())
                    .task("after", "payments", Map.of("x", "$b")).build());
            time.advance(Duration.ofSeconds(1));
            assertThat(good.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(bad.await(Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.FAILED);

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
                    .contains("baton_runs_active{instance=\"east\"} 0.0");
            assertThat(scrape).as("no run, task or execution id in any label")
                    .doesNotContain(good.runId()).doesNotContain(bad.runId()).doesNotContain("\"pay\"")
                    .doesNotContain("\"after\"");
        } finally {
            metrics.close();
        }
    }
}
