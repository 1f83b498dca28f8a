package dev.baton.transport.tck;

import java.time.Duration;
import java.util.Objects;

/**
 * What the service on the far side of a transport answers to one call, as a test of the kit scripts it. The fixture
 * turns each kind into what the transport's own protocol says for it (for HTTP: a 2xx with a JSON body, a 503 with
 * {@code Retry-After}, a 4xx, a body that is not JSON).
 */
public sealed interface ServiceAnswer {

    /**
     * The service did the work and answers with its output.
     *
     * @param value the output: plain JSON values (maps with string keys, lists, strings, numbers, booleans, null)
     */
    record Output(Object value) implements ServiceAnswer {
    }

    /**
     * The service cannot take the call now; another attempt may succeed.
     *
     * @param reason     why, as the service says it
     * @param retryAfter how long the service asks the caller to wait, or {@code null} for no advice; whole seconds,
     *                   so that any protocol can carry it
     */
    record Unavailable(String reason, Duration retryAfter) implements ServiceAnswer {
        /**
         * Checks the components.
         *
         * @param reason     why, as the service says it
         * @param retryAfter how long to wait, or {@code null}
         */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
            if (retryAfter != null && (retryAfter.isNegative() || retryAfter.getNano() != 0)) {
                throw new IllegalArgumentException("retryAfter must be whole non-negative seconds: " + retryAfter);
            }
        }
    }

    /**
     * The service refuses the call for good (a bad request, an unknown order): another attempt cannot help.
     *
     * @param reason why, as the service says it
     */
    record Rejected(String reason) implements ServiceAnswer {
        /**
         * Checks the component.
         *
         * @param reason why, as the service says it
         */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The service answers as if it succeeded, with something that is not a JSON value (an HTML page, say). */
    record Unreadable() implements ServiceAnswer {
    }

    /**
     * @param value the output
     * @return a successful answer
     */
    static ServiceAnswer output(Object value) {
        return new Output(value);
    }
}
