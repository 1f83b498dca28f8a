package dev.baton.transport;

import dev.baton.RunResult;

import java.net.URI;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Delivers an ended run's result to a webhook: the SPI behind result webhooks. The orchestrator calls it when a run
 * whose options (or action) name a webhook ends, records every reported {@link WebhookAttempt} in the run's log, and
 * calls it again after a restart when the log shows a delivery still owed. The HTTP adapter's {@code WebhookSender}
 * implements it (signed {@code POST}, allow-list, backoff on the injected scheduler). The contract test kit
 * {@code baton-transport-tck} checks what follows; a custom transport extends its {@code WebhookTransportContractTest}.
 *
 * <p>{@link #deliver} must not block: it starts the first attempt and returns without waiting for the receiver, so
 * a receiver that never answers holds up neither the caller nor the transport's scheduler. It checks the destination,
 * retries as it is configured, and reports each attempt once, in order, to {@code onAttempt} (the last one
 * {@link WebhookAttempt#isFinal() final}); the returned stage completes with the last one, after it has been
 * reported, and never exceptionally (unless its caller cancels it).
 *
 * <p>Attempts are numbered from {@code firstAttempt}, one more each, and count towards the transport's attempt limit
 * from {@code firstAttempt} on: attempt {@code n} is the last one when {@code n} is the limit. An attempt ends in one
 * of these ways:
 * <ul>
 *   <li>the receiver takes the result (an HTTP 2xx): {@link WebhookOutcome#DELIVERED};</li>
 *   <li>it fails in a way that may pass (no answer at all, a timeout, or an answer asking to be tried later, like HTTP
 *       408, 429 and 5xx): {@link WebhookOutcome#RETRYING} with the delay before the next attempt, which is not made
 *       sooner, or {@link WebhookOutcome#FAILED} when no attempt is left;</li>
 *   <li>the receiver rejects it (any other answer): {@link WebhookOutcome#FAILED} at once, however many attempts are
 *       left;</li>
 *   <li>the destination is refused before anything is sent: {@link WebhookOutcome#REFUSED}.</li>
 * </ul>
 * A {@code firstAttempt} already past the limit sends nothing: its one attempt is {@code FAILED}. A failed attempt
 * names its error, a delivered one has none. The signing secret never appears in an attempt, not even when a
 * receiver's answer echoes it. Implementations must be thread-safe: deliveries started from many threads at once
 * each send their own result.
 *
 * <p>When the orchestrator closes, it cancels the stages of the deliveries still going on (when
 * {@code toCompletableFuture()} gives one) and records no later attempt: an implementation whose stages can be
 * cancelled that way then starts no further attempt of that delivery (one already under way may still end), and
 * goes on with the others. The log shows it owed, and the next orchestrator on the store takes it up.
 */
public interface WebhookTransport {

    /**
     * Starts delivering a result.
     *
     * @param destination  the webhook URL
     * @param result       the run's result: its id, status, outputs and error, all of which the receiver gets, in
     *                     the transport's format
     * @param firstAttempt the number of the first attempt to make, 1 unless earlier attempts were made before a
     *                     restart; counts towards the transport's attempt limit
     * @param onAttempt    told about each attempt as it ends, in order
     * @return a stage completing with the last attempt, never exceptionally
     */
    CompletionStage<WebhookAttempt> deliver(URI destination, RunResult result, int firstAttempt,
                                            Consumer<? super WebhookAttempt> onAttempt);
}
