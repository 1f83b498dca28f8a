package dev.baton.transport.tck;

import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static dev.baton.transport.WebhookOutcome.DELIVERED;
import static dev.baton.transport.WebhookOutcome.RETRYING;
import static dev.baton.transport.tck.WebhookReceiver.Answer.ACCEPT;
import static dev.baton.transport.tck.WebhookReceiver.Answer.RETRY_LATER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of a {@link WebhookTransport} whose stages can be cancelled, on top of
 * {@link WebhookTransportContractTest}'s: the orchestrator cancels the future that {@code toCompletableFuture()}
 * gives of a delivery still going on when it closes, and the transport then starts no further attempt of that
 * delivery, and goes on with the others. A transport that supports it (the HTTP adapter's {@code WebhookSender}
 * does) extends this class instead of {@link WebhookTransportContractTest}, with the same fixture methods:
 *
 * <pre>{@code
 * class MyWebhookTransportTest extends WebhookTransportCancellationContractTest {
 *     // createTransport, createReceiver, refusedDestination and secret, as for WebhookTransportContractTest
 * }
 * }</pre>
 *
 * <p>Whether an attempt already under way when its stage is cancelled still ends, and is reported, is left to the
 * transport; these tests cancel a delivery while it waits for a retry.
 */
public abstract class WebhookTransportCancellationContractTest extends WebhookTransportContractTest {

    @Test
    void aCancelledDeliveryMakesNoFurtherAttempt() throws Exception {
        Inbox inbox = receiver(answers(RETRY_LATER));
        WebhookTransport t = transport(5);

        Delivery d = deliver(t, inbox.destination(), completed("cancelled"), 1);
        WebhookAttempt first = d.next();
        assertThat(first.outcome()).as("the first attempt's outcome").isEqualTo(RETRYING);
        CompletableFuture<WebhookAttempt> future = d.stage.toCompletableFuture();
        assertThat(future.cancel(false)).as("the stage's future could be cancelled").isTrue();

        time.advance(first.nextDelay() == null || first.nextDelay().isNegative() ? Duration.ZERO : first.nextDelay());
        time.advance(Duration.ofDays(1));
        settle(t, inbox);
        assertThat(inbox.arrivals("cancelled")).as("deliveries of a delivery cancelled while it waited to retry")
                .hasSize(1);
    }

    @Test
    void cancellingOneDeliveryLeavesTheOthersGoing() throws Exception {
        Inbox inbox = receiver(answers(RETRY_LATER, ACCEPT));
        WebhookTransport t = transport(5);

        Delivery cancelled = deliver(t, inbox.destination(), completed("cancelled-one"), 1);
        Delivery kept = deliver(t, inbox.destination(), completed("kept-one"), 1);
        WebhookAttempt first = cancelled.next();
        WebhookAttempt keptFirst = kept.next();
        assertThat(first.outcome()).as("the cancelled delivery's first outcome").isEqualTo(RETRYING);
        assertThat(keptFirst.outcome()).as("the other delivery's first outcome").isEqualTo(RETRYING);
        cancelled.stage.toCompletableFuture().cancel(false);

        WebhookAttempt last = kept.runFrom(keptFirst);
        assertThat(last.outcome()).as("the other delivery's outcome").isEqualTo(DELIVERED);
        assertThat(last.attempt()).as("the other delivery's last attempt").isEqualTo(2);
        assertThat(inbox.arrivals("kept-one")).as("deliveries of the other delivery").hasSize(2);
    }
}
