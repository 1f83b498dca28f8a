package dev.baton.transport.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A long-lived server builds and closes transports: their threads must not wait for a garbage collection. */
class TransportThreadsTest {

    private static Set<Thread> httpClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("HttpClient-")).collect(Collectors.toSet());
    }

    /** The client threads started since {@code before} end once {@code owner} is closed, while it is still referenced. */
    private static void closeEndsTheThreadsStartedSince(Set<Thread> before, AutoCloseable owner) throws Exception {
        Set<Thread> started = httpClientThreads();
        started.removeAll(before);
        assertThat(started).as("the client's selector").isNotEmpty();

        owner.close();
        for (Thread th : started) {
            th.join(10_000);
        }
        assertThat(started).as("ended while " + owner + " is still referenced").noneMatch(Thread::isAlive);
        assertThat(owner.toString()).isNotEmpty(); // keeps the owner, and so its client, reachable until here
    }

    @Test
    void closeEndsTheClientsThreadsWhereTheJdkCanShutItDown() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "HttpClient has no shutdownNow() before Java 21");
        try (FakeServer s = new FakeServer((ex, body) -> FakeServer.respond(ex, 200, "{\"ok\":true}"))) {
            Set<Thread> before = httpClientThreads();
            HttpTransport t = HttpTransport.builder().service("orders", s.uri("/tasks"))
                    .requestTimeout(Duration.ofSeconds(10)).build();
            assertThat(t.dispatch(HttpTransportTest.request(1)).toCompletableFuture().get(20, TimeUnit.SECONDS))
                    .isEqualTo(Map.of("ok", true));
            closeEndsTheThreadsStartedSince(before, t);
        }
    }

    @Test
    void closingAWebhookSenderEndsItsClientsThreadsWhereTheJdkCanShutItDown() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "HttpClient has no shutdownNow() before Java 21");
        try (FakeServer s = new FakeServer((ex, body) -> FakeServer.respond(ex, 200, ""))) {
            Set<Thread> before = httpClientThreads();
            WebhookSender sender = WebhookSender.builder().secret("0123456789abcdef0123456789abcdef")
                    .scheduler(new dev.baton.time.ManualTime())
                    .destinations(DestinationPolicy.builder().allowHost("127.0.0.1").allowLoopback(true).build())
                    .build();
            assertThat(sender.send(s.uri("/hook"), new WebhookPayload("r", "COMPLETED", Map.of(), null))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS).outcome())
                    .isEqualTo(dev.baton.transport.WebhookOutcome.DELIVERED);
            closeEndsTheThreadsStartedSince(before, sender);
        }
    }
}
