package dev.baton.transport.http;

import dev.baton.transport.WebhookAttempt;

/**
 * Told about every webhook attempt as it ends (the engine records each in the run log). Called on the thread that
 * completed the attempt; must be quick; a throwing listener is logged and skipped.
 */
@FunctionalInterface
public interface WebhookAttemptListener {

    /** @param attempt the attempt that just ended */
    void onAttempt(WebhookAttempt attempt);
}
