package dev.baton.transport;

import dev.baton.RunResult;

import java.net.URI;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Delivers an ended run's result to a webhook: the SPI behind result webhooks. The orchestrator calls it when a run
 * whose options (or action) name a webhook ends, records every reported {@link WebhookAttempt} in the run's log, and
 * calls it again after a restart when the log shows a delivery still owed. The HTTP adapter's {@code WebhookSender}
 * implements it (signed {@code POST}, allow-list, backoff on the injected scheduler).
 *
 * <p>{@link #deliver} must not block: it starts the first attempt and returns. It checks the destination, retries as
 * it is configured, and reports each attempt, in order, to {@code onAttempt} (the last one
 * {@link WebhookAttempt#isFinal() final}); the returned stage completes with the last one and never exceptionally.
 * The signing secret never appears in an attempt. Implementations must be thread-safe.
 *
 * <p>When the orchestrator closes, it cancels the stages of the deliveries still going on (when
 * {@code toCompletableFuture()} gives one) and records no later attempt: an implementation should then start no
 * further attempt of that delivery. The log shows it owed, and the next orchestrator on the store takes it up.
 */
public interface WebhookTransport {

    /**
     * Starts delivering a result.
     *
     * @param destination  the webhook URL
     * @param result       the run's result: its id, status, outputs and error
     * @param firstAttempt the number of the first attempt to make, 1 unless earlier attempts were made before a
     *                     restart; counts towards the transport's attempt limit
     * @param onAttempt    told about each attempt as it ends, in order
     * @return a stage completing with the last attempt, never exceptionally
     */
    CompletionStage<WebhookAttempt> deliver(URI destination, RunResult result, int firstAttempt,
                                            Consumer<? super WebhookAttempt> onAttempt);
}
