package dev.baton.internal.engine;

import dev.baton.BatonException;
import dev.baton.event.ErrorInfo;

/**
 * Turns what a handler threw into a recorded error: a stable code, a message without stack trace, and whether it is
 * worth another attempt. Retryability is explicit, never guessed from messages.
 */
final class Failures {

    private Failures() {
    }

    /**
     * @param info      the recorded error
     * @param retryable whether another attempt may help
     */
    record Failure(ErrorInfo info, boolean retryable) {
    }

    static Failure classify(Throwable t) {
        if (t instanceof Attempt.Aborted a) {
            return new Failure(a.info, a.retryable);
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.util.concurrent.CancellationException) {
            return new Failure(new ErrorInfo("CANCELLED", "the handler's stage was cancelled", t.getClass().getName()), false);
        }
        if (t instanceof dev.baton.NonRetryableException) {
            return new Failure(new ErrorInfo("HANDLER_ERROR", message, t.getClass().getName()), false);
        }
        if (t instanceof dev.baton.RetryableException) {
            return new Failure(new ErrorInfo("HANDLER_ERROR", message, t.getClass().getName()), true);
        }
        if (t instanceof BatonException b) {
            return new Failure(new ErrorInfo(b.code(), message, t.getClass().getName()), retryable(b));
        }
        if (t instanceof Error && !(t instanceof StackOverflowError) && !(t instanceof AssertionError)) {
            return new Failure(new ErrorInfo("HANDLER_ERROR", message, t.getClass().getName()), false);
        }
        return new Failure(new ErrorInfo("HANDLER_ERROR", message, t.getClass().getName()), true);
    }

    private static boolean retryable(BatonException b) {
        return Retryability.of(b);
    }
}
