package dev.baton.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.RunResult;
import dev.baton.time.Scheduler;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.transport.WebhookTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Delivers a run's result to a webhook: {@code POST} of the JSON body {@code {"runId","status","results","error"}}
 * with the header {@value WebhookSignature#HEADER}{@code : t=<unix seconds>,v1=<hex HMAC-SHA256>} (see
 * {@link WebhookSignature}), re-signed on each attempt.
 *
 * <p>Before each attempt the destination is checked against the {@link DestinationPolicy}; a refused destination is
 * not called. A 2xx answer delivers; 408, 429, 5xx and connection errors or timeouts are retried with exponential
 * backoff (doubling from {@code initialBackoff} up to {@code maxBackoff}, at least the receiver's
 * {@code Retry-After}) through the injected {@link Scheduler}, up to {@code maxAttempts}; other statuses fail at
 * once. Each attempt's {@link WebhookAttempt} goes to the {@link WebhookAttemptListener}; the stage returned by
 * {@link #send} completes with the last one and never exceptionally. Cancelling that stage stops the delivery: no
 * attempt starts after it (one already sent still ends and is told to the listeners).
 *
 * <p>As the orchestrator's {@link WebhookTransport} ({@code Orchestrator.builder().webhooks(sender)}), it delivers
 * the result of every run with a webhook when the run ends, and the orchestrator records each attempt in the run's
 * log. The retries run on the injected scheduler, so give it the orchestrator's.
 *
 * <p>{@link #close()} ends the sender: a delivery waiting for its next attempt, and any later one, completes with a
 * {@code FAILED} attempt without a request. Close the orchestrator that uses the sender first: it stops its
 * deliveries without recording them as failed, so the next orchestrator on the same store takes them up.
 *
 * <p>The secret is never logged, never in a message and never in {@code toString}; response bodies are not read.
 * Thread-safe.
 */
public final class WebhookSender implements WebhookTransport, AutoCloseable {

    /** The message of the attempt a closed sender ends a delivery with. */
    static final String CLOSED = "the webhook sender is closed";

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final Scheduler scheduler;
    private final Clock clock;
    private final DestinationPolicy policy;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration requestTimeout;
    private final WebhookAttemptListener listener;
    private final HttpClient client;
    private volatile boolean closed;

    private WebhookSender(Builder b) {
        this.secret = b.secret.clone();
        this.scheduler = b.scheduler;
        this.clock = b.clock;
        this.policy = b.policy;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.requestTimeout = b.requestTimeout;
        this.listener = b.listener;
        HttpClient.Builder cb = HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1);
        if (b.executor != null) {
            cb.executor(b.executor);
        }
        this.client = cb.build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends a result, retrying as configured.
     *
     * @param destination the webhook URL
     * @param payload     the result
     * @return a stage completing with the last attempt ({@link WebhookAttempt#isFinal()}), never exceptionally
     */
    public CompletionStage<WebhookAttempt> send(URI destination, WebhookPayload payload) {
        return send(destination, payload, 1, a -> { }, false);
    }

    /**
     * Delivers a run's result: {@link #send} of its payload ({@code error} is {@code {"taskId","code","message"}}),
     * starting at attempt {@code firstAttempt}; each attempt goes to the configured listener and to
     * {@code onAttempt}. Does not block: the first attempt, like every retry, starts on the scheduler (the
     * allow-list check resolves the destination's name there), so the caller's thread never waits for DNS. Attempts
     * are told one at a time, in order: a retry that falls due while the listeners are still hearing of the attempt
     * before it starts once they have, then on the common pool.
     *
     * @param destination  the webhook URL
     * @param result       the run's result
     * @param firstAttempt the first attempt's number, at least 1; attempts up to {@code maxAttempts} in all
     * @param onAttempt    told about each attempt as it ends
     * @return a stage completing with the last attempt, never exceptionally
     */
    @Override
    public CompletionStage<WebhookAttempt> deliver(URI destination, RunResult result, int firstAttempt,
                                                   Consumer<? super WebhookAttempt> onAttempt) {
        Objects.requireNonNull(result, "result");
        Map<String, Object> error = result.error().map(err -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("taskId", err.taskId());
            m.put("code", err.code());
            m.put("message", err.message());
            return m;
        }).orElse(null);
        return send(destination, new WebhookPayload(result.runId(), result.status().name(), result.outputs(), error),
                firstAttempt, onAttempt, true);
    }

    private CompletionStage<WebhookAttempt> send(URI destination, WebhookPayload payload, int firstAttempt,
                                                 Consumer<? super WebhookAttempt> onAttempt, boolean onScheduler) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(onAttempt, "onAttempt");
        if (firstAttempt < 1) {
            throw new IllegalArgumentException("firstAttempt must be >= 1, was " + firstAttempt);
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(payload.body());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the webhook payload of run " + payload.runId()
                    + " cannot be written as JSON");
        }
        CompletableFuture<WebhookAttempt> done = new CompletableFuture<>();
        if (closed) {
            finishClosed(done, onAttempt, payload.runId(), destination, firstAttempt);
            return done;
        }
        if (firstAttempt > maxAttempts) {
            // a delivery resumed after a restart whose attempts are used up (or a smaller limit now): nothing is sent
            finish(done, onAttempt, new WebhookAttempt(payload.runId(), destination, firstAttempt,
                    WebhookOutcome.FAILED, 0, "no attempt left of " + maxAttempts, clock.instant(), null));
            return done;
        }
        if (onScheduler) {
            scheduler.schedule(Duration.ZERO, () -> attempt(destination, payload.runId(), body, firstAttempt, done,
                    onAttempt));
        } else {
            attempt(destination, payload.runId(), body, firstAttempt, done, onAttempt);
        }
        return done;
    }

    private void attempt(URI destination, String runId, byte[] body, int n, CompletableFuture<WebhookAttempt> done,
                         Consumer<? super WebhookAttempt> onAttempt) {
        if (done.isDone()) {
            return; // cancelled (the orchestrator closed): no further attempt
        }
        if (closed) {
            finishClosed(done, onAttempt, runId, destination, n);
            return;
        }
        try {
            policy.check(destination);
        } catch (WebhookException e) {
            finish(done, onAttempt, new WebhookAttempt(runId, destination, n, WebhookOutcome.REFUSED, 0, e.getMessage(),
                    clock.instant(), null));
            return;
        }
        String signature = WebhookSignature.sign(secret, clock.instant().getEpochSecond(), body);
        HttpRequest request = HttpRequest.newBuilder(destination)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<Void>> call;
        try {
            // the body is discarded and the whole exchange bounded, so an endless or trickling body cannot hold it
            call = LimitedBody.within(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()),
                    requestTimeout);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> {
            int status = response == null ? 0 : response.statusCode();
            if (error == null && status / 100 == 2) {
                finish(done, onAttempt, new WebhookAttempt(runId, destination, n, WebhookOutcome.DELIVERED, status, null,
                        clock.instant(), null));
                return;
            }
            boolean retryable = error != null || status == 408 || status == 429 || status / 100 == 5;
            String what = error != null ? describe(error) : "HTTP " + status;
            if (!retryable || n >= maxAttempts) {
                finish(done, onAttempt, new WebhookAttempt(runId, destination, n, WebhookOutcome.FAILED, status, what,
                        clock.instant(), null));
                return;
            }
            Duration delay = backoff(n);
            if (response != null) {
                Duration asked = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock)
                        .orElse(Duration.ZERO);
                if (asked.compareTo(delay) > 0) {
                    delay = asked;
                }
            }
            WebhookAttempt retrying = new WebhookAttempt(runId, destination, n, WebhookOutcome.RETRYING, status, what,
                    clock.instant(), delay);
            // Scheduled before the listeners hear of this attempt, so the next one is already due when they do, but
            // started only after they have heard: attempts are reported one at a time, in order, even when the
            // delay is shorter than the listeners take (the orchestrator writes each report to the run's log).
            CompletableFuture<Void> told = new CompletableFuture<>();
            Runnable next = () -> attempt(destination, runId, body, n + 1, done, onAttempt);
            scheduler.schedule(delay, () -> {
                if (told.isDone()) {
                    next.run(); // the usual case: on the scheduler, as every attempt starts
                } else {
                    // due while the listeners still hear of this attempt: once they have, on the common pool, not
                    // on the thread that told them (the HTTP client's, or the JVM's timeout thread), which must not
                    // wait for a DNS look-up; not on the scheduler again, whose next turn a test's time may not give
                    // (handed to the pool itself: CompletableFuture's async steps make a thread per task instead where the
                    // common pool has a single worker, as on two cores)
                    told.thenRun(() -> java.util.concurrent.ForkJoinPool.commonPool().execute(next));
                }
            });
            try {
                tell(retrying, onAttempt);
            } finally {
                told.complete(null);
            }
        });
    }

    private Duration backoff(int failedAttempt) {
        Duration d = initialBackoff;
        for (int i = 1; i < failedAttempt && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private static String describe(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    /**
     * Ends the sender: deliveries waiting for their next attempt, and any started later, complete with a
     * {@code FAILED} attempt and send nothing. On a JDK whose {@code HttpClient} can be shut down (21 and later) its
     * threads end now, and an exchange still going on fails (and so ends its delivery the same way); on Java 17 they
     * end when the client is collected. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        HttpTransport.shutdownNow(client);
    }

    private void finishClosed(CompletableFuture<WebhookAttempt> done, Consumer<? super WebhookAttempt> onAttempt,
                              String runId, URI destination, int n) {
        finish(done, onAttempt, new WebhookAttempt(runId, destination, n, WebhookOutcome.FAILED, 0, CLOSED,
                clock.instant(), null));
    }

    private void finish(CompletableFuture<WebhookAttempt> done, Consumer<? super WebhookAttempt> onAttempt,
                        WebhookAttempt last) {
        tell(last, onAttempt);
        done.complete(last);
    }

    private void tell(WebhookAttempt a, Consumer<? super WebhookAttempt> onAttempt) {
        try {
            listener.onAttempt(a);
        } catch (RuntimeException e) {
            log.warn("webhook attempt listener failed for run {}: {}", a.runId(), e.getClass().getName());
        }
        try {
            onAttempt.accept(a);
        } catch (RuntimeException e) {
            log.warn("webhook attempt callback failed for run {}: {}", a.runId(), e.getClass().getName());
        }
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "WebhookSender[policy=" + policy + ", maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff
                + ".." + maxBackoff + ", secret=****]";
    }

    /**
     * Builds a {@link WebhookSender}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private byte[] secret;
        private Scheduler scheduler;
        private Clock clock = Clock.systemUTC();
        private DestinationPolicy policy;
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private WebhookAttemptListener listener = a -> { };
        private Executor executor;

        private Builder() {
        }

        /**
         * @param secret the HMAC key shared with receivers; not empty; copied
         * @return this builder
         */
        public Builder secret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length == 0) {
                throw new IllegalArgumentException("the webhook secret must not be empty");
            }
            this.secret = secret.clone();
            return this;
        }

        /**
         * @param secret the HMAC key as text (UTF-8); not empty
         * @return this builder
         */
        public Builder secret(String secret) {
            return secret(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * @param scheduler schedules the retries; required ({@code ManualTime} in tests)
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param clock signs timestamps and stamps attempts; default the system UTC clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param policy which destinations may be called; required
         * @return this builder
         */
        public Builder destinations(DestinationPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param attempts attempts in all, at least 1; default 5
         * @return this builder
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * @param initial the delay after the first failure; positive; default 1 s
         * @param max     the largest delay; at least {@code initial}; default 1 min
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            HealthMonitor.Builder.positive("initialBackoff", initial);
            HealthMonitor.Builder.positive("maxBackoff", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maxBackoff " + max + " is less than initialBackoff " + initial);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /**
         * @param connect how long to wait for a connection; positive; default 5 s
         * @param request how long to wait for the whole answer, body included; positive; default 10 s
         * @return this builder
         */
        public Builder timeouts(Duration connect, Duration request) {
            this.connectTimeout = HealthMonitor.Builder.positive("connectTimeout", connect);
            this.requestTimeout = HealthMonitor.Builder.positive("requestTimeout", request);
            return this;
        }

        /**
         * @param listener told about every attempt; default none
         * @return this builder
         */
        public Builder onAttempt(WebhookAttemptListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param executor runs the HTTP client's asynchronous work; default the JDK client's own executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** @return the sender */
        public WebhookSender build() {
            if (secret == null) {
                throw new IllegalStateException("secret is required");
            }
            if (scheduler == null) {
                throw new IllegalStateException("scheduler is required");
            }
            if (policy == null) {
                throw new IllegalStateException("destinations (a DestinationPolicy) is required");
            }
            return new WebhookSender(this);
        }
    }
}
