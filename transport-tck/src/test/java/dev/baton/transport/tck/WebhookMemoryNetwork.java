package dev.baton.transport.tck;

import dev.baton.RunError;
import dev.baton.RunResult;
import dev.baton.RunStatus;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook receivers in memory, for the kit's own tests: each stands at {@code mem://receivers.test/<n>}, and the same
 * receiver is reached at {@code mem://refused.test/<n>}, a host the memory transport refuses. A delivery is the
 * result as a map of JSON values ({@code runId}, {@code status}, {@code outputs}, {@code error}); the answer is an
 * HTTP-like status and body, a failing one echoing the secret.
 */
final class WebhookMemoryNetwork {

    static final String ALLOWED_HOST = "receivers.test";
    static final String REFUSED_HOST = "refused.test";

    /** A receiver's answer. */
    record Reply(int status, String body) {
    }

    private final String secret;
    private final Map<String, WebhookReceiver.Script> receivers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    WebhookMemoryNetwork(String secret) {
        this.secret = secret;
    }

    /** Stands up a receiver answering as the script says. */
    WebhookReceiver stand(WebhookReceiver.Script script) {
        String path = "/" + ids.incrementAndGet();
        receivers.put(path, script);
        URI destination = URI.create("mem://" + ALLOWED_HOST + path);
        return new WebhookReceiver() {
            @Override
            public URI destination() {
                return destination;
            }

            @Override
            public void close() {
                receivers.remove(path);
            }
        };
    }

    /** @return where the memory transport refuses to reach {@code receiver} */
    static URI refused(WebhookReceiver receiver) {
        return URI.create("mem://" + REFUSED_HOST + receiver.destination().getPath());
    }

    /**
     * Delivers a payload to whatever stands at the destination's path, on the calling thread.
     *
     * @return the answer, or {@code null} when nothing stands there
     */
    Reply send(URI destination, Map<String, Object> payload) throws InterruptedException {
        WebhookReceiver.Script script = receivers.get(destination.getPath());
        if (script == null) {
            return null;
        }
        String echo = "{\"echo\":\"" + secret + "\"}";
        return switch (script.answer(decode(payload))) {
            case ACCEPT -> new Reply(204, "");
            case RETRY_LATER -> new Reply(503, echo);
            case REJECT -> new Reply(400, echo);
        };
    }

    static Map<String, Object> encode(RunResult result, boolean dropErrorTask) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", result.runId());
        m.put("status", result.status().name());
        m.put("outputs", result.outputs());
        m.put("error", result.error().map(e -> {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("taskId", dropErrorTask ? null : e.taskId());
            err.put("code", e.code());
            err.put("message", e.message());
            return err;
        }).orElse(null));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static RunResult decode(Map<String, Object> m) {
        try {
            Map<String, Object> err = (Map<String, Object>) m.get("error");
            return new RunResult((String) m.get("runId"), RunStatus.valueOf((String) m.get("status")),
                    (Map<String, Object>) m.get("outputs"), err == null ? null
                    : new RunError((String) err.get("taskId"), (String) err.get("code"), (String) err.get("message")));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
