package dev.baton.internal.engine;

import dev.baton.PlannedAction;
import dev.baton.RunResult;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.WebhookAttempted;
import dev.baton.internal.Saturating;
import dev.baton.persistence.RunFilter;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunState;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.transport.WebhookTransport;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Result webhooks: when a run whose settings name a webhook ends, its result goes to the {@link WebhookTransport},
 * and every attempt the transport reports is appended to the run's log as a {@link WebhookAttempted} (after the
 * terminal event, which is durable first). A delivery the log shows as still owed (no attempt yet, or the last one
 * {@code RETRYING}) is taken up again by {@link #recover()} after a restart, continuing the attempt count.
 *
 * <p>Delivery is at least once: an attempt that was sent but not yet recorded when the process died is sent again.
 * Receivers dedupe on the run id (and reject replays by the signature's timestamp).
 */
final class Webhooks {

    private static final int RECORD_TRIES = 5;
    private static final int PAGE = 500;

    private final Engine engine;
    private final WebhookTransport transport;  // null: none configured, owed deliveries are recorded as failed
    private final Set<String> delivering = ConcurrentHashMap.newKeySet();
    /** A run that ended again (after a redrive) while the delivery of its earlier end was still running. */
    private final Map<String, Runnable> next = new ConcurrentHashMap<>();
    /** The transport's stages of the deliveries going on, cancelled at close so that none goes on without us. */
    private final Map<String, java.util.concurrent.CompletableFuture<?>> stages = new ConcurrentHashMap<>();
    /** Set at close: nothing more is sent or recorded; what is owed stays owed in the log for the next instance. */
    private volatile boolean closed;

    Webhooks(Engine engine, WebhookTransport transport) {
        this.engine = engine;
        this.transport = transport;
    }

    /**
     * @param settings a run's settings
     * @return its webhook, if it has one
     */
    static Optional<String> destination(RunSettings settings) {
        Object w = settings.attributes().get(PlannedAction.WEBHOOK);
        return w instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    /** A run ended (durably, with its terminal event at {@code endSeq}): deliver its result if it has a webhook. */
    void ended(String runId, long endSeq, RunSettings settings, RunResult result) {
        Optional<String> dest = destination(settings);
        if (dest.isPresent()) {
            Runnable go = () -> start(runId, endSeq, dest.get(), result, 1, Duration.ZERO, false);
            if (delivering.contains(runId)) {
                next.put(runId, go);        // delivered once the earlier end's delivery is done
                if (!delivering.contains(runId) && next.remove(runId, go)) {
                    go.run();               // it finished meanwhile
                }
            } else {
                go.run();
            }
        }
    }

    /**
     * Takes up the deliveries still owed by ended runs in the store (created within the retention), e.g. after a
     * restart. Reads the log of each ended run in that window: meant for start-up and explicit recovery, not for the
     * periodic lease work.
     *
     * @return how many deliveries were taken up
     */
    int recover() {
        if (transport == null) {
            return 0;   // owed deliveries wait for an instance that can make them
        }
        Instant since = Saturating.minus(engine.now(), engine.retention());
        EnumSet<RunState> ended = EnumSet.of(RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED);
        int n = 0;
        for (int offset = 0; ; offset += PAGE) {
            List<RunRecord> page = engine.store.runs(new RunFilter(ended, since, null, PAGE, offset));
            for (RunRecord r : page) {
                if (!delivering.contains(r.runId()) && recover(r.runId())) {
                    n++;
                }
            }
            if (page.size() < PAGE) {
                return n;
            }
        }
    }

    private boolean recover(String runId) {
        List<RunEvent> log = engine.events(runId);
        if (log.isEmpty() || !(log.get(0) instanceof dev.baton.event.RunCreated c)
                || destination(c.settings()).isEmpty()) {
            return false;
        }
        Optional<RunSnapshot> snap = RunSnapshot.fold(log);
        if (snap.isEmpty() || !snap.get().status().isTerminal() || !snap.get().webhookOwed()) {
            return false;
        }
        if (engine.owner != null
                && engine.store.tryLease(runId, engine.owner, engine.leaseDuration(), engine.now()).isEmpty()) {
            return false; // another live instance holds the run, and with it the delivery
        }
        WebhookAttempted last = snap.get().lastWebhook;
        int next = last == null ? 1 : last.attempt() + 1;
        Duration delay = last == null || last.nextAttemptAt() == null ? Duration.ZERO
                : Duration.between(engine.now(), last.nextAttemptAt());
        engine.log.info("run {}: delivering its result to its webhook again from attempt {}", runId, next);
        start(runId, snap.get().endSeq, destination(snap.get().settings()).orElseThrow(), snap.get().result(), next,
                delay.isNegative() ? Duration.ZERO : delay, engine.owner != null);
        return true;
    }

    private void start(String runId, long endSeq, String destination, RunResult result, int firstAttempt,
                       Duration delay, boolean leased) {
        if (!delivering.add(runId)) {
            return;
        }
        Runnable go = () -> deliver(runId, endSeq, destination, result, firstAttempt, leased);
        if (delay.isZero()) {
            go.run();
        } else {
            engine.scheduler.schedule(delay, go);
        }
    }

    private void deliver(String runId, long endSeq, String destination, RunResult result, int firstAttempt,
                         boolean leased) {
        if (closed) {
            return; // a delayed start that a scheduler the engine does not own ran after close
        }
        if (transport == null) {
            engine.log.warn("run {} has a webhook but no webhook transport is configured; not delivered", runId);
            record(runId, new WebhookAttempted(runId, 0, engine.now(), endSeq, destination, firstAttempt,
                    WebhookAttempted.FAILED, 0, "no webhook transport is configured", null));
            finish(runId, leased); // after the record: the next delivery and the lease wait for it
            return;
        }
        URI uri;
        try {
            uri = URI.create(destination);
        } catch (IllegalArgumentException e) {
            record(runId, new WebhookAttempted(runId, 0, engine.now(), endSeq, destination, firstAttempt,
                    WebhookAttempted.REFUSED, 0, "not a valid URL", null));
            finish(runId, leased); // after the record: the next delivery and the lease wait for it
            return;
        }
        CompletionStage<WebhookAttempt> stage;
        try {
            Reports reports = new Reports(firstAttempt);
            stage = transport.deliver(uri, result, firstAttempt, a -> reports.take(runId, a,
                    () -> record(runId, event(runId, endSeq, destination, a))));
            if (stage == null) {
                throw new IllegalStateException("the webhook transport returned no stage");
            }
        } catch (RuntimeException | Error e) {
            record(runId, new WebhookAttempted(runId, 0, engine.now(), endSeq, destination, firstAttempt,
                    WebhookAttempted.FAILED, 0, "the webhook transport failed: " + e.getClass().getSimpleName(), null));
            finish(runId, leased); // after the record: the next delivery and the lease wait for it
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        track(runId, stage);
        try {
            stage.whenComplete((a, t) -> {
                stages.remove(runId);
                if (finished.compareAndSet(false, true)) {
                    finish(runId, leased);
                }
            });
        } catch (RuntimeException | Error e) {
            // a stage of the transport's own that cannot take a callback: the delivery's attempts are its to record,
            // but the next delivery and the lease must not wait for a callback that may never come
            engine.log.warn("run {}: the webhook transport's stage took no callback: {}", runId, e.toString());
            if (finished.compareAndSet(false, true)) {
                finish(runId, leased);
            }
        }
    }

    /**
     * One delivery's attempt reports, recorded one at a time and in the order of their numbers. A transport must report
     * them so; one that reports an attempt again, an earlier one after a later one, or anything after a final one
     * would otherwise leave a log whose last attempt is not the delivery's last (a {@code RETRYING} after the
     * {@code FAILED}, which recovery reads as a delivery still owed). Such a report is left out, with a warning.
     */
    private final class Reports {
        private int next;
        private boolean ended;

        Reports(int firstAttempt) {
            this.next = firstAttempt;
        }

        synchronized void take(String runId, WebhookAttempt a, Runnable record) {
            if (ended || a.attempt() < next) {
                engine.log.warn("run {}: the webhook transport reported attempt {} ({}) out of order; not recorded",
                        runId, a.attempt(), a.outcome());
                return;
            }
            next = a.attempt() + 1;
            ended = a.isFinal();
            record.run();
        }
    }

    /** Keeps the delivery's stage to cancel at close (a stage that refuses {@code toCompletableFuture()} is not kept). */
    private void track(String runId, CompletionStage<WebhookAttempt> stage) {
        java.util.concurrent.CompletableFuture<?> f;
        try {
            f = stage.toCompletableFuture();
        } catch (RuntimeException | Error e) {
            return;
        }
        stages.put(runId, f);
        if (closed) {
            f.cancel(false); // closed while it started
        }
    }

    /**
     * Stops the deliveries going on: their stages are cancelled (a transport stops retrying a delivery whose stage is
     * cancelled) and no later attempt is recorded. The log shows them owed, so the next instance takes them up.
     */
    void close() {
        closed = true;
        for (java.util.concurrent.CompletableFuture<?> f : stages.values()) {
            f.cancel(false);
        }
        stages.clear();
    }

    private void finish(String runId, boolean leased) {
        delivering.remove(runId);
        Runnable queued = next.remove(runId);
        if (queued != null) {
            queued.run();
        }
        if (leased) {
            engine.releaseLease(runId);
        }
    }

    private static WebhookAttempted event(String runId, long endSeq, String destination, WebhookAttempt a) {
        Instant next = a.outcome() == WebhookOutcome.RETRYING && a.nextDelay() != null ? Saturating.plus(a.at(), a.nextDelay()) : null;
        return new WebhookAttempted(runId, 0, a.at(), endSeq, destination, a.attempt(), a.outcome().name(), a.status(),
                a.error(), next);
    }

    /** Appends an attempt at the end of the log (which a redrive may have moved on), then tells the listeners. */
    private void record(String runId, WebhookAttempted draft) {
        if (closed) {
            engine.log.debug("run {}: webhook attempt {} after close not recorded", runId, draft.attempt());
            return;
        }
        for (int tries = 0; tries < RECORD_TRIES; tries++) {
            Optional<RunRecord> r;
            try {
                r = engine.store.run(runId);
            } catch (RuntimeException | Error e) {
                engine.log.warn("run {}: webhook attempt {} ({}) could not be recorded: {}", runId, draft.attempt(),
                        draft.outcome(), e.toString());
                return;
            }
            if (r.isEmpty()) {
                return;  // purged meanwhile
            }
            long seq = r.get().lastSeq();
            WebhookAttempted ev = new WebhookAttempted(runId, seq + 1, draft.at(), draft.endSeq(), draft.destination(),
                    draft.attempt(), draft.outcome(), draft.status(), draft.error(), draft.nextAttemptAt());
            try {
                engine.store.append(runId, seq, List.of(ev), engine.owner, engine.now());
            } catch (SequenceConflictException e) {
                continue;
            } catch (RuntimeException | Error e) {
                engine.log.warn("run {}: webhook attempt {} ({}) could not be recorded: {}", runId, draft.attempt(),
                        draft.outcome(), e.toString());
                return;
            }
            if (WebhookAttempted.DELIVERED.equals(ev.outcome())) {
                engine.log.debug("run {}: result delivered to its webhook (attempt {})", runId, ev.attempt());
            } else {
                engine.log.info("run {}: webhook attempt {} {}{}", runId, ev.attempt(), ev.outcome(),
                        ev.error() == null ? "" : ": " + ev.error());
            }
            engine.publish(ev);
            return;
        }
        engine.log.warn("run {}: webhook attempt {} not recorded: the log kept moving", runId, draft.attempt());
    }
}
