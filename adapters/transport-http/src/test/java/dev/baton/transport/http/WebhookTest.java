package dev.baton.transport.http;

import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookTest {

    static final String SECRET = "whsec-canary-5d1e0b2f";
    static final byte[] KEY = SECRET.getBytes(StandardCharsets.UTF_8);

    private final ManualTime time = new ManualTime(Instant.parse("2026-03-01T10:00:00Z"));
    private final BlockingQueue<WebhookAttempt> attempts = new LinkedBlockingQueue<>();
    private final List<FakeServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(FakeServer::close);
    }

    private FakeServer receiver(FakeServer.Script script) throws IOException {
        FakeServer s = new FakeServer(script);
        servers.add(s);
        return s;
    }

    /** A receiver that answers every delivery 503, counting them. */
    private FakeServer unavailable(AtomicInteger calls) throws IOException {
        return receiver((ex, body) -> {
            calls.incrementAndGet();
            FakeServer.respond(ex, 503, "");
        });
    }

    private WebhookSender.Builder sender() {
        return WebhookSender.builder().secret(SECRET).scheduler(time).clock(time)
                .destinations(DestinationPolicy.builder().allowHost("127.0.0.1").allowLoopback(true).build())
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .onAttempt(attempts::add);
    }

    private static WebhookPayload payload() {
        return new WebhookPayload("order-ORD456", "COMPLETED", Map.of("task1", Map.of("name", "Ada")), null);
    }

    private WebhookAttempt next() throws InterruptedException {
        WebhookAttempt a = attempts.poll(20, TimeUnit.SECONDS);
        assertThat(a).as("an attempt was reported").isNotNull();
        return a;
    }

    @Test
    void aSignedResultIsDeliveredAndVerifies() throws Exception {
        WebhookSignature verifier = WebhookSignature.verifier(KEY, Duration.ofMinutes(5), time);
        List<String> verdicts = new java.util.concurrent.CopyOnWriteArrayList<>();
        FakeServer s = receiver((ex, body) -> {
            try {
                verifier.verify(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), body);
                verdicts.add("ok");
                FakeServer.respond(ex, 204, "");
            } catch (WebhookException e) {
                verdicts.add(e.code());
                FakeServer.respond(ex, 401, "");
            }
        });
        WebhookAttempt last = sender().build().send(s.uri("/hook"), payload()).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);

        assertThat(last.outcome()).isEqualTo(WebhookOutcome.DELIVERED);
        assertThat(last.attempt()).isEqualTo(1);
        assertThat(last.statusIfAny()).hasValue(204);
        assertThat(verdicts).containsExactly("ok");
        FakeServer.Received r = s.received.get(0);
        assertThat(r.body()).isEqualTo("{\"runId\":\"order-ORD456\",\"status\":\"COMPLETED\","
                + "\"results\":{\"task1\":{\"name\":\"Ada\"}},\"error\":null}");
        assertThat(r.headers().getFirst(WebhookSignature.HEADER))
                .matches("t=" + time.instant().getEpochSecond() + ",v1=[0-9a-f]{64}");
        assertThat(next()).isEqualTo(last);

        // the receiver refuses the same delivery a second time
        assertThatThrownBy(() -> verifier.verify(r.headers().getFirst(WebhookSignature.HEADER),
                r.body().getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.code()).isEqualTo(WebhookException.REPLAYED));
    }

    @Test
    void failuresAreRetriedWithBackoffThroughTheScheduler() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeServer s = receiver((ex, body) -> FakeServer.respond(ex, calls.incrementAndGet() < 3 ? 503 : 200, ""));
        CompletableFuture<WebhookAttempt> done = sender().build().send(s.uri("/hook"), payload())
                .toCompletableFuture();

        WebhookAttempt first = next();
        assertThat(first.outcome()).isEqualTo(WebhookOutcome.RETRYING);
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        time.advance(Duration.ofMillis(999));
        assertThat(calls).hasValue(1);
        time.advance(Duration.ofMillis(1));
        WebhookAttempt second = next();
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.nextDelay()).isEqualTo(Duration.ofSeconds(2));
        time.advance(Duration.ofSeconds(2));
        WebhookAttempt third = next();
        assertThat(third.outcome()).isEqualTo(WebhookOutcome.DELIVERED);
        assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(third);
        // each attempt is signed with its own time
        assertThat(s.received).extracting(r -> r.headers().getFirst(WebhookSignature.HEADER).split(",")[0])
                .containsExactly("t=1772359200", "t=1772359201", "t=1772359203");
    }

    @Test
    void aCancelledDeliveryMakesNoFurtherAttempt() throws Exception {
        // the orchestrator cancels the stages of deliveries going on when it closes; the next one takes them up
        AtomicInteger started = new AtomicInteger(); // each attempt checks its destination first, on the scheduler
        FakeServer s = receiver((ex, body) -> FakeServer.respond(ex, 503, ""));
        CompletableFuture<WebhookAttempt> done = sender()
                .destinations(DestinationPolicy.builder().allowHost("127.0.0.1").allowLoopback(true).resolver(h -> {
                    started.incrementAndGet();
                    return InetAddress.getAllByName(h);
                }).build())
                .build().send(s.uri("/hook"), payload()).toCompletableFuture();
        assertThat(next().outcome()).isEqualTo(WebhookOutcome.RETRYING);
        assertThat(started).hasValue(1);

        done.cancel(false);
        time.advance(Duration.ofSeconds(30));
        assertThat(started).as("no attempt started after the cancel").hasValue(1);
        assertThat(time.pending()).as("nothing rescheduled").isZero();
    }

    @Test
    void aClosedSenderEndsTheDeliveryWaitingForItsRetryAndEveryLaterOneWithoutARequest() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeServer s = unavailable(calls);
        WebhookSender sender = sender().maxAttempts(5).build();
        CompletableFuture<WebhookAttempt> waiting = sender.send(s.uri("/hook"), payload()).toCompletableFuture();
        WebhookAttempt first = next();
        assertThat(first.outcome()).isEqualTo(WebhookOutcome.RETRYING);

        sender.close();
        sender.close(); // idempotent
        time.advance(first.nextDelay());
        WebhookAttempt last = waiting.get(20, TimeUnit.SECONDS);
        assertThat(last.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(last.attempt()).isEqualTo(2);
        assertThat(last.error()).isEqualTo(WebhookSender.CLOSED);
        assertThat(next()).isEqualTo(last); // the listener heard of it too

        WebhookAttempt later = sender.send(s.uri("/hook"), payload()).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(later.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(later.error()).isEqualTo(WebhookSender.CLOSED);
        assertThat(calls).as("only the first attempt reached the receiver").hasValue(1);
        assertThat(time.pending()).isZero();
    }

    @Test
    void theNextAttemptStartsOnlyOnceTheAttemptBeforeHasBeenReported() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeServer s = unavailable(calls);
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        WebhookSender[] sender = new WebhookSender[1];
        java.util.concurrent.atomic.AtomicBoolean reporting = new java.util.concurrent.atomic.AtomicBoolean();
        sender[0] = sender().maxAttempts(5).onAttempt(a -> {
            if (!reporting.compareAndSet(false, true)) {
                order.add("attempt " + a.attempt() + " reported while another report was going on");
            }
            order.add(a.attempt() + " " + a.outcome());
            if (a.attempt() == 2 && java.util.concurrent.ForkJoinTask.getPool()
                    != java.util.concurrent.ForkJoinPool.commonPool()) {
                // not on the thread that told of attempt 1 (the HTTP client's, on JDK 17) nor on any other
                order.add("attempt 2 ran on " + Thread.currentThread().getName() + ", not on the common pool");
            }
            if (a.attempt() == 1) {
                // the retry falls due while this report is still being handled (a listener slower than the backoff);
                // closed, the sender ends attempt 2 at once, on the thread that runs it
                sender[0].close();
                time.advance(a.nextDelay());
            }
            reporting.set(false);
        }).build();
        CompletableFuture<WebhookAttempt> delivery = sender[0].send(s.uri("/hook"), payload()).toCompletableFuture();
        WebhookAttempt last = delivery.get(20, TimeUnit.SECONDS);
        assertThat(last.attempt()).isEqualTo(2);
        assertThat(order).containsExactly("1 RETRYING", "2 FAILED");
        assertThat(calls).hasValue(1);
    }

    @Test
    void deliverStartsOnTheSchedulerContinuesTheCountAndSendsNothingWhenAttemptsAreUsedUp() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeServer down = unavailable(calls);
        WebhookSender sender = sender().maxAttempts(4).build();
        dev.baton.RunResult result = new dev.baton.RunResult("order-ORD456", dev.baton.RunStatus.COMPLETED,
                Map.of("task1", Map.of("name", "Ada")), null);
        List<WebhookAttempt> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        // a delivery resumed after attempt 2: the caller's thread sends nothing, the scheduler does
        CompletableFuture<WebhookAttempt> done = sender.deliver(down.uri("/hook"), result, 3, told::add)
                .toCompletableFuture();
        assertThat(calls).hasValue(0);
        time.advance(Duration.ZERO);
        WebhookAttempt third = next();
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(third.outcome()).isEqualTo(WebhookOutcome.RETRYING);
        time.advance(third.nextDelay());
        WebhookAttempt fourth = done.get(20, TimeUnit.SECONDS);
        assertThat(fourth.attempt()).isEqualTo(4);
        assertThat(fourth.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(calls).hasValue(2);
        assertThat(told).extracting(WebhookAttempt::attempt).containsExactly(3, 4);
        next();

        // resumed past the limit: failed at once, the receiver never called
        WebhookAttempt none = sender.deliver(down.uri("/hook"), result, 5, a -> { }).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertThat(none.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(none.error()).isEqualTo("no attempt left of 4");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aRejectingStatusFailsAtOnceAndAttemptsRunOut() throws Exception {
        FakeServer rejecting = receiver((ex, body) -> FakeServer.respond(ex, 400, ""));
        WebhookAttempt rejected = sender().build().send(rejecting.uri("/hook"), payload()).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertThat(rejected.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(rejected.attempt()).isEqualTo(1);
        assertThat(rejected.error()).isEqualTo("HTTP 400");
        next();

        FakeServer down = receiver((ex, body) -> FakeServer.respond(ex, 500, ""));
        CompletableFuture<WebhookAttempt> done = sender().maxAttempts(2).build().send(down.uri("/hook"), payload())
                .toCompletableFuture();
        assertThat(next().outcome()).isEqualTo(WebhookOutcome.RETRYING);
        time.advance(Duration.ofSeconds(1));
        WebhookAttempt last = done.get(20, TimeUnit.SECONDS);
        assertThat(last.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(last.attempt()).isEqualTo(2);
    }

    @Test
    void aReceiverThatStallsAfterItsHeadersTimesOut() throws Exception {
        FakeServer slow = receiver((ex, body) -> FakeServer.stallAfterHeaders(ex));
        WebhookAttempt a = sender().maxAttempts(1).timeouts(Duration.ofSeconds(1), Duration.ofMillis(300)).build()
                .send(slow.uri("/hook"), payload()).toCompletableFuture().get(4, TimeUnit.SECONDS);
        assertThat(a.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(a.error()).isEqualTo("HttpTimeoutException");
    }

    @Test
    void aDeadEndpointIsRetriedThenFails() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        CompletableFuture<WebhookAttempt> done = sender().maxAttempts(2).build()
                .send(java.net.URI.create("http://127.0.0.1:" + port + "/hook"), payload()).toCompletableFuture();
        WebhookAttempt first = next();
        assertThat(first.outcome()).isEqualTo(WebhookOutcome.RETRYING);
        assertThat(first.error()).isEqualTo("ConnectException");
        assertThat(first.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        time.advance(Duration.ofSeconds(1));
        WebhookAttempt last = done.get(20, TimeUnit.SECONDS);
        assertThat(last.outcome()).isEqualTo(WebhookOutcome.FAILED);
        assertThat(last.attempt()).isEqualTo(2);
        assertThat(last.error()).isEqualTo("ConnectException");
    }

    @Test
    void refusedDestinationsAreNeverCalled() throws Exception {
        FakeServer s = receiver((ex, body) -> FakeServer.respond(ex, 200, ""));
        WebhookSender strict = sender().destinations(DestinationPolicy.builder().allowHost("127.0.0.1").build())
                .build();
        WebhookAttempt a = strict.send(s.uri("/hook"), payload()).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(a.outcome()).isEqualTo(WebhookOutcome.REFUSED);
        assertThat(a.error()).contains("loopback");
        assertThat(s.received).isEmpty();
    }

    @Test
    void thePolicyRefusesPrivateLinkLocalAndUnlistedDestinations() throws Exception {
        Map<String, String> dns = Map.of("hooks.example.com", "93.184.216.34", "internal.example.com", "10.1.2.3",
                "meta.example.com", "169.254.169.254", "cgnat.example.com", "100.64.0.9", "v6.example.com", "fd00::1");
        DestinationPolicy p = DestinationPolicy.builder().allowHost("*.example.com")
                .resolver(h -> new InetAddress[] {InetAddress.getByName(dns.getOrDefault(h, h))}).build();

        p.check(URI.create("https://hooks.example.com/results"));
        for (String refused : List.of("https://internal.example.com/x", "https://meta.example.com/x",
                "https://cgnat.example.com/x", "https://v6.example.com/x", "https://other.org/x",
                "ftp://hooks.example.com/x", "https://user:pw@hooks.example.com/x")) {
            assertThatThrownBy(() -> p.check(URI.create(refused))).as(refused)
                    .isInstanceOfSatisfying(WebhookException.class,
                            e -> assertThat(e.code()).isEqualTo(WebhookException.DESTINATION_REFUSED))
                    .message().doesNotContain("pw");
        }
        DestinationPolicy lenient = DestinationPolicy.builder().allowAnyHost().allowPrivate(true)
                .allowLinkLocal(true).resolver(h -> new InetAddress[] {InetAddress.getByName(dns.get(h))}).build();
        lenient.check(URI.create("https://internal.example.com/x"));
        lenient.check(URI.create("https://meta.example.com/x"));
    }

    @Test
    void anAllowedHostMatchesWhateverItsCaseAndAnIpv6LiteralWithOrWithoutBrackets() {
        URI loopback6 = URI.create("http://[::1]:8080/hooks");
        // the host as the URI gives it, brackets included
        DestinationPolicy.builder().allowHost(loopback6.getHost()).allowLoopback(true).build().check(loopback6);
        DestinationPolicy.builder().allowHost("::1").allowLoopback(true).build().check(loopback6);
        DestinationPolicy.builder().allowHost("[FD00::1]").allowPrivate(true).build()
                .check(URI.create("https://[fd00::1]/x"));
        DestinationPolicy.builder().allowHost("[fd00::1]").allowPrivate(true).build()
                .check(URI.create("https://[FD00::1]/x"));
        InetAddress[] publicAddress = {InetAddress.getLoopbackAddress()};
        DestinationPolicy named = DestinationPolicy.builder().allowHost("Hooks.Example.com").allowLoopback(true)
                .resolver(h -> {
                    assertThat(h).isEqualTo("hooks.example.com");
                    return publicAddress;
                }).build();
        named.check(URI.create("https://HOOKS.example.COM/x"));

        assertThatThrownBy(() -> DestinationPolicy.builder().allowHost("[::2]").allowLoopback(true).build()
                .check(loopback6)).isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.code()).isEqualTo(WebhookException.DESTINATION_REFUSED))
                .hasMessageContaining("host '::1' is not on the allow-list");
        assertThatThrownBy(() -> DestinationPolicy.builder().allowHost("[]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'[]'");
    }

    @Test
    void theVerifierRejectsTamperingExpiryAndGarbage() {
        WebhookSignature v = WebhookSignature.verifier(KEY, Duration.ofMinutes(5), time);
        byte[] body = "{\"runId\":\"r\"}".getBytes(StandardCharsets.UTF_8);
        long now = time.instant().getEpochSecond();

        assertThat(code(() -> v.verify(WebhookSignature.sign(KEY, now, body), "{\"runId\":\"x\"}".getBytes(
                StandardCharsets.UTF_8)))).isEqualTo(WebhookException.SIGNATURE_INVALID);
        assertThat(code(() -> v.verify(WebhookSignature.sign("other".getBytes(StandardCharsets.UTF_8), now, body),
                body))).isEqualTo(WebhookException.SIGNATURE_INVALID);
        assertThat(code(() -> v.verify(WebhookSignature.sign(KEY, now - 301, body), body)))
                .isEqualTo(WebhookException.SIGNATURE_EXPIRED);
        assertThat(code(() -> v.verify(WebhookSignature.sign(KEY, now + 301, body), body)))
                .isEqualTo(WebhookException.SIGNATURE_EXPIRED);
        assertThat(code(() -> v.verify(null, body))).isEqualTo(WebhookException.SIGNATURE_INVALID);
        assertThat(code(() -> v.verify("t=abc,v1=00", body))).isEqualTo(WebhookException.SIGNATURE_INVALID);
        assertThat(code(() -> v.verify("t=1,v1=zz", body))).isEqualTo(WebhookException.SIGNATURE_INVALID);
        assertThat(code(() -> v.verify("v1=00", body))).isEqualTo(WebhookException.SIGNATURE_INVALID);
        v.verify(WebhookSignature.sign(KEY, now - 299, body), body);
    }

    @Test
    void theSecretNeverAppearsEvenWhenTheReceiverEchoesIt() throws Exception {
        FakeServer s = receiver((ex, body) -> FakeServer.respond(ex, 500, "{\"echo\":\"" + SECRET + "\"}"));
        WebhookSender sender = sender().maxAttempts(2).build();
        CompletableFuture<WebhookAttempt> done = sender.send(s.uri("/hook"), payload()).toCompletableFuture();
        WebhookAttempt first = next();
        time.advance(Duration.ofSeconds(1));
        WebhookAttempt last = done.get(20, TimeUnit.SECONDS);
        assertThat(List.of(first, last).toString()).doesNotContain(SECRET);
        assertThat(sender.toString()).doesNotContain(SECRET);
        assertThat(WebhookSignature.verifier(KEY, Duration.ofMinutes(1), time).toString()).doesNotContain(SECRET);
        try {
            WebhookSignature.verifier(KEY, Duration.ofMinutes(1), time).verify("t=1,v1=00", new byte[0]);
        } catch (WebhookException e) {
            assertThat(e.getMessage()).doesNotContain(SECRET);
        }
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> WebhookSender.builder().secret(new byte[0])).hasMessageContaining("secret");
        assertThatThrownBy(() -> WebhookSender.builder().maxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> WebhookSender.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> WebhookSender.builder().secret("k").scheduler(time).build())
                .hasMessageContaining("DestinationPolicy");
    }

    private static String code(Runnable r) {
        try {
            r.run();
            return "accepted";
        } catch (WebhookException e) {
            assertThat(e.getMessage()).doesNotContain(SECRET);
            return e.code();
        }
    }
}
