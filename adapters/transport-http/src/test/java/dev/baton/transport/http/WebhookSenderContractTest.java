package dev.baton.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.RunError;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookTransport;
import dev.baton.transport.tck.WebhookReceiver;
import dev.baton.transport.tck.WebhookTransportCancellationContractTest;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The webhook transport contract test kit on {@link WebhookSender}, its cancellation part included, with real HTTP
 * receivers on loopback: each checks the signature of every delivery and decodes its JSON body, answers 204, 503 or
 * 400 as the kit's script says, and echoes the secret in the body of a failing answer.
 */
class WebhookSenderContractTest extends WebhookTransportCancellationContractTest {

    static final String SECRET = "whsec-contract-4e8b2c91f0a7";
    private static final byte[] KEY = SECRET.getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected WebhookTransport createTransport(ManualTime time, int maxAttempts) {
        return WebhookSender.builder().secret(SECRET).scheduler(time).clock(time)
                .destinations(DestinationPolicy.builder().allowHost("127.0.0.1").allowLoopback(true).build())
                .maxAttempts(maxAttempts)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
                .build();
    }

    @Override
    protected WebhookReceiver createReceiver(WebhookReceiver.Script script) throws IOException {
        String echo = "{\"echo\":\"" + SECRET + "\"}";
        FakeServer server = new FakeServer((ex, body) -> {
            WebhookReceiver.Answer answer;
            try {
                answer = script.answer(decode(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), body));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the receiver is closing: the exchange closes unanswered
            }
            switch (answer) {
                case ACCEPT -> FakeServer.respond(ex, 204, "");
                case RETRY_LATER -> FakeServer.respond(ex, 503, echo);
                case REJECT -> FakeServer.respond(ex, 400, echo);
            }
        });
        URI destination = server.uri("/hook");
        AtomicBoolean closed = new AtomicBoolean();
        return new WebhookReceiver() {
            @Override
            public URI destination() {
                return destination;
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    server.close();
                }
            }
        };
    }

    /** The same receiver by the name {@code localhost}, which the allow-list does not name. */
    @Override
    protected URI refusedDestination(WebhookReceiver receiver) {
        return URI.create("http://localhost:" + receiver.destination().getPort() + "/hook");
    }

    @Override
    protected String secret() {
        return SECRET;
    }

    /** @return the result a signed JSON body carries, or {@code null} if the signature or the body is wrong */
    @SuppressWarnings("unchecked")
    private static RunResult decode(String signature, byte[] body) {
        try {
            String t = signature.substring(2, signature.indexOf(','));
            if (!signature.equals(WebhookSignature.sign(KEY, Long.parseLong(t), body))) {
                return null;
            }
            Map<String, Object> m = JSON.readValue(body, Map.class);
            Map<String, Object> err = (Map<String, Object>) m.get("error");
            return new RunResult((String) m.get("runId"), RunStatus.valueOf((String) m.get("status")),
                    (Map<String, Object>) m.get("results"), err == null ? null
                    : new RunError((String) err.get("taskId"), (String) err.get("code"), (String) err.get("message")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
