package dev.baton.transport;

/** How one webhook attempt ended. */
public enum WebhookOutcome {
    /** The receiver answered 2xx. Final. */
    DELIVERED,
    /** The attempt failed and another is scheduled. */
    RETRYING,
    /** The attempt failed and no other follows (a rejecting status, or the attempts are used up). Final. */
    FAILED,
    /** The destination was refused by the allow-list; nothing was sent. Final. */
    REFUSED
}
