package dev.baton.transport.http;

import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthMonitorTest {

    @Test
    void probesOnTheIntervalAndReportsChanges() {
        ManualTime time = new ManualTime();
        AtomicBoolean up = new AtomicBoolean(true);
        AtomicInteger probes = new AtomicInteger();
        HealthMonitor m = HealthMonitor.builder().services(Set.of("a")).scheduler(time).clock(time)
                .interval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(2))
                .probe(s -> {
                    probes.incrementAndGet();
                    return CompletableFuture.completedFuture(up.get());
                }).build();
        List<String> changes = new CopyOnWriteArrayList<>();
        m.subscribe((s, from, to, at) -> changes.add(s + ":" + from + "->" + to + "@" + at));

        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNKNOWN);
        assertThat(m.health("other")).isEqualTo(ServiceHealth.UNKNOWN);
        m.start();
        time.runDue();
        assertThat(m.health("a")).isEqualTo(ServiceHealth.HEALTHY);
        up.set(false);
        time.advance(Duration.ofSeconds(9));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.HEALTHY);
        time.advance(Duration.ofSeconds(1));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNHEALTHY);
        up.set(true);
        time.advance(Duration.ofSeconds(10));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.HEALTHY);
        assertThat(probes).hasValue(3);
        assertThat(changes).containsExactly(
                "a:UNKNOWN->HEALTHY@2026-01-01T00:00:00Z",
                "a:HEALTHY->UNHEALTHY@2026-01-01T00:00:10Z",
                "a:UNHEALTHY->HEALTHY@2026-01-01T00:00:20Z");
        assertThat(m.snapshot()).isEqualTo(Map.of("a", ServiceHealth.HEALTHY));
        m.close();
        time.advance(Duration.ofMinutes(5));
        assertThat(probes).hasValue(3);
    }

    @Test
    void aProbeThatHangsPastTheHeartbeatTimeoutFails() {
        ManualTime time = new ManualTime();
        CompletableFuture<Boolean> never = new CompletableFuture<>();
        HealthMonitor m = HealthMonitor.builder().services(Set.of("a")).scheduler(time).clock(time)
                .interval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(2))
                .probe(s -> never).build();
        m.start();
        time.advance(Duration.ofMillis(1999));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNKNOWN);
        time.advance(Duration.ofMillis(1));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNHEALTHY);
        never.complete(true);                     // too late: that round is over
        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNHEALTHY);
    }

    @Test
    void unhealthyOnlyAfterTheConfiguredFailuresInARowAndThrowingProbesFail() {
        ManualTime time = new ManualTime();
        HealthMonitor m = HealthMonitor.builder().services(Set.of("a")).scheduler(time)
                .interval(Duration.ofSeconds(1)).unhealthyAfter(3)
                .probe(s -> {
                    throw new IllegalStateException("probe broke");
                }).build();
        m.start();
        time.runDue();
        time.advance(Duration.ofSeconds(1));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNKNOWN);
        time.advance(Duration.ofSeconds(1));
        assertThat(m.health("a")).isEqualTo(ServiceHealth.UNHEALTHY);
    }

    @Test
    void aSubscriptionCanBeClosedAndAThrowingListenerIsSkipped() {
        ManualTime time = new ManualTime();
        AtomicInteger heard = new AtomicInteger();
        HealthMonitor m = HealthMonitor.builder().services(Set.of("a")).scheduler(time)
                .probe(s -> CompletableFuture.completedFuture(true)).build();
        m.subscribe((s, f, t, at) -> {
            throw new IllegalStateException("listener broke");
        });
        HealthSource.Subscription sub = m.subscribe((s, f, t, at) -> heard.incrementAndGet());
        sub.close();
        sub.close();
        m.start();
        time.runDue();
        assertThat(m.health("a")).isEqualTo(ServiceHealth.HEALTHY);
        assertThat(heard).hasValue(0);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> HealthMonitor.builder().interval(Duration.ZERO)).hasMessageContaining("interval");
        assertThatThrownBy(() -> HealthMonitor.builder().unhealthyAfter(0)).hasMessageContaining("unhealthyAfter");
        assertThatThrownBy(() -> HealthMonitor.builder().scheduler(new ManualTime()).build())
                .hasMessageContaining("probe");
    }

    @Test
    void theTransportProbesRealServicesAndExposesTheirHealth() throws Exception {
        ManualTime time = new ManualTime();
        AtomicBoolean up = new AtomicBoolean(true);
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/health")) {
                FakeServer.respond(ex, up.get() ? 200 : 503, "");
            } else {
                FakeServer.respond(ex, 200, "{}");
            }
        })) {
            HttpTransport t = HttpTransport.builder().service("orders", s.uri("/orders"))
                    .healthChecks(time, Duration.ofSeconds(5), Duration.ofSeconds(1)).build();
            BlockingQueue<ServiceHealth> changes = new LinkedBlockingQueue<>();
            t.subscribe((service, from, to, at) -> changes.add(to));
            assertThat(t.health("orders")).isEqualTo(ServiceHealth.UNKNOWN);

            time.runDue();
            assertThat(changes.poll(20, TimeUnit.SECONDS)).isEqualTo(ServiceHealth.HEALTHY);
            assertThat(t.health("orders")).isEqualTo(ServiceHealth.HEALTHY);
            up.set(false);
            time.advance(Duration.ofSeconds(5));
            assertThat(changes.poll(20, TimeUnit.SECONDS)).isEqualTo(ServiceHealth.UNHEALTHY);
            assertThat(t.health("orders")).isEqualTo(ServiceHealth.UNHEALTHY);
            up.set(true);
            time.advance(Duration.ofSeconds(5));
            assertThat(changes.poll(20, TimeUnit.SECONDS)).isEqualTo(ServiceHealth.HEALTHY);
            assertThat(s.received).extracting(FakeServer.Received::path).containsOnly("/health");
            assertThat(t.healthMonitor()).isPresent();
            t.close();
        }
    }

    @Test
    void aHealthEndpointWithALargeBodyIsHealthyByItsStatus() throws Exception {
        ManualTime time = new ManualTime();
        String details = "{\"status\":\"UP\",\"components\":\"" + "x".repeat(64 * 1024) + "\"}";
        for (boolean chunked : new boolean[]{false, true}) { // a declared length and a streamed one
            try (FakeServer s = new FakeServer((ex, body) -> {
                if (chunked) {
                    ex.sendResponseHeaders(200, 0);
                    try (java.io.OutputStream out = ex.getResponseBody()) {
                        out.write(details.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    } catch (IOException expected) {
                        // the probe stops reading after the first bytes
                    }
                } else {
                    FakeServer.respond(ex, 200, details);
                }
            })) {
                HttpTransport t = HttpTransport.builder().service("orders", s.uri("/orders"))
                        .healthChecks(time, Duration.ofSeconds(5), Duration.ofSeconds(1)).build();
                BlockingQueue<ServiceHealth> changes = new LinkedBlockingQueue<>();
                t.subscribe((service, from, to, at) -> changes.add(to));
                time.runDue();
                assertThat(changes.poll(20, TimeUnit.SECONDS)).as("chunked " + chunked).isEqualTo(ServiceHealth.HEALTHY);
                t.close();
            }
        }
    }

    @Test
    void withoutHealthChecksEveryServiceIsUnknown() throws IOException {
        HttpTransport t = HttpTransport.builder().service("orders", java.net.URI.create("http://127.0.0.1:1/o"))
                .build();
        assertThat(t.health("orders")).isEqualTo(ServiceHealth.UNKNOWN);
        t.subscribe((s, f, to, at) -> { }).close();
        assertThat(t.healthMonitor()).isEmpty();
    }
}
