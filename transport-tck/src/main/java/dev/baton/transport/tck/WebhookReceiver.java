package dev.baton.transport.tck;

import dev.baton.RunResult;

import java.net.URI;

/**
 * The receiving end of result webhooks, as a {@link WebhookTransportContractTest} subclass stands it up: a receiver at
 * a destination the transport under test may reach, which decodes each delivery from the transport's format and
 * answers it as the kit's {@link Script} decides.
 *
 * <p>For an HTTP transport this is a server on loopback: {@link Answer#ACCEPT} is a 2xx, {@link Answer#RETRY_LATER}
 * a 503, {@link Answer#REJECT} a 400, and a delivery whose signature does not verify is passed to the script as
 * undecodable.
 */
public interface WebhookReceiver extends AutoCloseable {

    /** How the receiver answers one delivery. */
    enum Answer {
        /** Takes the result: the attempt is delivered. */
        ACCEPT,
        /** Fails in a way that may pass (the receiver is there but asks to be tried later): the transport retries. */
        RETRY_LATER,
        /** Rejects the delivery for good: the transport does not retry it. */
        REJECT
    }

    /**
     * Decides the answer to each delivery; the kit's side of the receiver.
     */
    @FunctionalInterface
    interface Script {

        /**
         * Answers one delivery. Called once per delivery the receiver gets, on a thread of the receiver's own, and
         * may block: the receiver then holds that delivery unanswered (it neither answers nor drops it) until this
         * returns, and goes on taking other deliveries meanwhile.
         *
         * @param delivered the result as the receiver decoded it from the delivery (its run id, status, outputs and
         *                  error), or {@code null} if the delivery could not be decoded (or its signature does not
         *                  verify)
         * @return the answer to give; a failing one ({@link Answer#RETRY_LATER}, {@link Answer#REJECT}) carries
         *     the {@link WebhookTransportContractTest#secret() secret} back where the format has room for it (in an
         *     HTTP response's body, say), as a careless receiver might echo it: the transport must not copy it into
         *     an attempt
         * @throws InterruptedException if the receiver is closed while the script waits
         */
        Answer answer(RunResult delivered) throws InterruptedException;
    }

    /**
     * @return where the transport reaches this receiver; the transport the fixture makes must not refuse it
     */
    URI destination();

    /**
     * Stops the receiver: afterwards nothing answers at its destination, so an attempt there fails as when nothing
     * listens (no answer at all). Idempotent.
     */
    @Override
    void close();
}
