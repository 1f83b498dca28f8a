package dev.baton.transport.tck;

import dev.baton.RunResult;
import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.transport.WebhookTransport;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A minimal webhook transport over {@link WebhookMemoryNetwork}, for the kit's own tests: right as it is, and broken
 * in one chosen way ({@link Fault}) to see that the kit notices. The first attempt and every retry are scheduled on
 * the manual time; each attempt's call to the receiver runs on the transport's one worker thread, in turn.
 */
final class WebhookMemoryTransport implements WebhookTransport, AutoCloseable {

    /** How the transport breaks the contract, if it does. */
    enum Fault {
        /** None: the transport is right. */
        NONE,
        /** Calls the receiver on the caller's thread, so {@code deliver} waits for its answer. */
        BLOCKS,
        /** Reports each RETRYING attempt only after the final one. */
        REPORTS_OUT_OF_ORDER,
        /** Reports the final attempt twice. */
        REPORTS_TWICE,
        /** Numbers the attempts from 1, whatever {@code firstAttempt} is. */
        NUMBERS_FROM_ONE,
        /** Completes the stage exceptionally when the result was not delivered. */
        COMPLETES_EXCEPTIONALLY,
        /** Completes the stage before reporting its attempt. */
        COMPLETES_BEFORE_REPORTING,
        /** Names the secret in the errors of failed attempts. */
        LEAKS_SECRET,
        /** Copies the receiver's answer, which echoes the secret, into the errors. */
        ECHOES_ANSWER,
        /** Makes one attempt more than the limit. */
        RETRIES_PAST_LIMIT,
        /** Counts the limit from its own first attempt, not from 1. */
        IGNORES_FIRST_ATTEMPT_IN_LIMIT,
        /** Retries a rejection. */
        RETRIES_REJECTIONS,
        /** Retries at once while reporting a delay, the retry sent on the caller's thread. */
        RETRIES_EARLY,
        /**
         * Retries at once while reporting a delay, the retry sent on its worker like any attempt: as a transport whose
         * calls go over a network, the retry reaches the receiver a little after the time that ran it moved on.
         */
        RETRIES_EARLY_ON_ITS_WORKER,
        /** Sends to a refused destination, then reports it refused. */
        SENDS_BEFORE_CHECKING,
        /** Sends each attempt twice. */
        SENDS_TWICE,
        /** Keeps the payload of the latest delivery in a field every attempt reads. */
        SHARES_STATE,
        /** Leaves the task out of the error it sends. */
        DROPS_ERROR_TASK,
        /** Goes on retrying a cancelled delivery. */
        IGNORES_CANCEL,
        /** Stops every delivery when one is cancelled. */
        CANCEL_STOPS_ALL,
        /** Returns a minimal stage, whose {@code toCompletableFuture()} is a copy that cancels nothing. */
        MINIMAL_STAGE
    }

    private final WebhookMemoryNetwork network;
    private final ManualTime time;
    private final int maxAttempts;
    private final String secret;
    private final Fault fault;
    // one thread, first in first out: a send started before another ends before it (what the kit's settling relies on)
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "memory-webhooks");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, Object> latestPayload;
    private volatile boolean stopped;

    WebhookMemoryTransport(WebhookMemoryNetwork network, ManualTime time, int maxAttempts, String secret,
                           Fault fault) {
        this.network = network;
        this.time = time;
        this.maxAttempts = maxAttempts;
        this.secret = secret;
        this.fault = fault;
    }

    private final class Delivery {
        final URI destination;
        final String runId;
        final Map<String, Object> payload;
        final int first;
        final Consumer<? super WebhookAttempt> onAttempt;
        final CompletableFuture<WebhookAttempt> done = new CompletableFuture<>();
        final List<WebhookAttempt> held = new ArrayList<>();

        Delivery(URI destination, String runId, Map<String, Object> payload, int first,
                 Consumer<? super WebhookAttempt> onAttempt) {
            this.destination = destination;
            this.runId = runId;
            this.payload = payload;
            this.first = first;
            this.onAttempt = onAttempt;
        }
    }

    @Override
    public CompletionStage<WebhookAttempt> deliver(URI destination, RunResult result, int firstAttempt,
                                                   Consumer<? super WebhookAttempt> onAttempt) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(onAttempt, "onAttempt");
        if (firstAttempt < 1) {
            throw new IllegalArgumentException("firstAttempt must be >= 1");
        }
        Map<String, Object> payload = WebhookMemoryNetwork.encode(result, fault == Fault.DROPS_ERROR_TASK);
        latestPayload = payload;
        Delivery d = new Delivery(destination, result.runId(), payload, firstAttempt, onAttempt);
        if (fault == Fault.CANCEL_STOPS_ALL) {
            d.done.whenComplete((a, e) -> stopped |= d.done.isCancelled());
        }
        if (fault == Fault.BLOCKS) {
            attempt(d, firstAttempt);
        } else {
            time.schedule(Duration.ZERO, () -> attempt(d, firstAttempt));
        }
        return fault == Fault.MINIMAL_STAGE ? d.done.minimalCompletionStage() : d.done;
    }

    private void attempt(Delivery d, int n) {
        if ((d.done.isDone() && fault != Fault.IGNORES_CANCEL) || stopped) {
            return;
        }
        if (n > limit(d)) {
            finish(d, attempt(d, n, WebhookOutcome.FAILED, 0, "no attempt left of " + maxAttempts, null));
            return;
        }
        boolean allowed = WebhookMemoryNetwork.ALLOWED_HOST.equals(d.destination.getHost());
        if (!allowed && fault != Fault.SENDS_BEFORE_CHECKING) {
            finish(d, attempt(d, n, WebhookOutcome.REFUSED, 0, "host " + d.destination.getHost() + " refused", null));
            return;
        }
        if (fault == Fault.BLOCKS || (fault == Fault.RETRIES_EARLY && n > d.first)) {
            send(d, n, allowed);
        } else {
            pool.execute(() -> send(d, n, allowed));
        }
    }

    private void send(Delivery d, int n, boolean allowed) {
        WebhookMemoryNetwork.Reply reply;
        try {
            Map<String, Object> payload = fault == Fault.SHARES_STATE ? latestPayload : d.payload;
            reply = network.send(d.destination, payload);
            if (fault == Fault.SENDS_TWICE) {
                reply = network.send(d.destination, payload);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply = null;
        }
        if (!allowed) {
            finish(d, attempt(d, n, WebhookOutcome.REFUSED, 0, "host " + d.destination.getHost() + " refused", null));
            return;
        }
        int status = reply == null ? 0 : reply.status();
        if (status / 100 == 2) {
            finish(d, attempt(d, n, WebhookOutcome.DELIVERED, status, null, null));
            return;
        }
        String error = reply == null ? "no answer" : "status " + status;
        if (fault == Fault.ECHOES_ANSWER && reply != null) {
            error += ": " + reply.body();
        }
        if (fault == Fault.LEAKS_SECRET) {
            error += " (signed with " + secret + ")";
        }
        boolean mayPass = reply == null || status == 503 || fault == Fault.RETRIES_REJECTIONS;
        if (!mayPass || n >= limit(d)) {
            finish(d, attempt(d, n, WebhookOutcome.FAILED, status, error, null));
            return;
        }
        Duration delay = Duration.ofSeconds(1L << Math.min(n - d.first, 5));
        boolean early = fault == Fault.RETRIES_EARLY || fault == Fault.RETRIES_EARLY_ON_ITS_WORKER;
        time.schedule(early ? Duration.ZERO : delay, () -> attempt(d, n + 1));
        tell(d, attempt(d, n, WebhookOutcome.RETRYING, status, error, delay));
    }

    private int limit(Delivery d) {
        return switch (fault) {
            case RETRIES_PAST_LIMIT -> maxAttempts + 1;
            case IGNORES_FIRST_ATTEMPT_IN_LIMIT -> d.first - 1 + maxAttempts;
            default -> maxAttempts;
        };
    }

    private WebhookAttempt attempt(Delivery d, int n, WebhookOutcome outcome, int status, String error,
                                   Duration nextDelay) {
        int number = fault == Fault.NUMBERS_FROM_ONE ? n - d.first + 1 : n;
        return new WebhookAttempt(d.runId, d.destination, number, outcome, status, error, time.instant(), nextDelay);
    }

    private void finish(Delivery d, WebhookAttempt last) {
        switch (fault) {
            case COMPLETES_EXCEPTIONALLY -> {
                tell(d, last);
                if (last.outcome() == WebhookOutcome.DELIVERED) {
                    d.done.complete(last);
                } else {
                    d.done.completeExceptionally(new IllegalStateException(last.error()));
                }
            }
            case COMPLETES_BEFORE_REPORTING -> {
                d.done.complete(last);
                tell(d, last);
            }
            case REPORTS_TWICE -> {
                tell(d, last);
                tell(d, last);
                d.done.complete(last);
            }
            default -> {
                tell(d, last);
                d.done.complete(last);
            }
        }
    }

    private void tell(Delivery d, WebhookAttempt a) {
        if (fault == Fault.REPORTS_OUT_OF_ORDER) {
            synchronized (d.held) {
                if (!a.isFinal()) {
                    d.held.add(a);
                    return;
                }
                d.onAttempt.accept(a);
                d.held.forEach(d.onAttempt);
                return;
            }
        }
        d.onAttempt.accept(a);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
