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
        String message = messageOf(t);
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

    /** The longest message kept from a failure: a handler's exception is user data, and it is written to the log. */
    static final int MAX_MESSAGE = 16_384;

    /**
     * A failure's message for the record: its class's simple name when it has none, its class's name when reading it
     * fails, and at most {@value #MAX_MESSAGE} characters.
     */
    static String messageOf(Throwable t) {
        String m = boundedMessage(t);
        return m != null ? m : t.getClass().getSimpleName();
    }

    /** Like {@link Throwable#toString()} (class name, then the message if any), but safe and bounded. */
    static String describe(Throwable t) {
        String m = boundedMessage(t);
        return m == null ? t.getClass().getName() : t.getClass().getName() + ": " + m;
    }

    /** The class's simple name, then the message if any, safe and bounded. */
    static String brief(Throwable t) {
        String m = boundedMessage(t);
        return m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
    }

    /** The message, cut to {@value #MAX_MESSAGE} characters; null when there is none. */
    private static String boundedMessage(Throwable t) {
        String m;
        try {
            m = t.getMessage();
        } catch (RuntimeException | Error e) {
            return "its message could not be read (" + e.getClass().getName() + ")";
        }
        if (m == null || m.length() <= MAX_MESSAGE) {
            return m;
        }
        return m.substring(0, MAX_MESSAGE) + "... (" + (m.length() - MAX_MESSAGE) + " more characters)";
    }

    private static boolean retryable(BatonException b) {
        return Retryability.of(b);
    }
}
