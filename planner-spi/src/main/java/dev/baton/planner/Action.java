package dev.baton.planner;

import dev.baton.plan.JsonValues;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller wants done: an intent in plain words, the parameters it is about (they become {@code task0}'s input),
 * and the run options that travel with it: a run id (the idempotency key), a correlation id and a webhook to notify.
 *
 * <pre>{@code
 * Action action = Action.builder("Assist customer with delayed order")
 *     .param("customerId", "CUST789").param("orderId", "ORD456")
 *     .runId("assist-ORD456")
 *     .build();
 * }</pre>
 *
 * <p>With {@link Builder#replanOnFailure(int)} the run may be re-planned: when one of its tasks fails for good, the
 * planner is asked for a revised plan that keeps the finished work (see {@link Revision}).
 *
 * <p>Immutable, thread-safe and equal by value; the parameters are deeply frozen.
 */
public final class Action {

    /** The default bound on revisions for {@link Builder#replanOnFailure()}. */
    public static final int DEFAULT_MAX_REVISIONS = 3;

    private final String intent;
    private final Map<String, Object> params;
    private final URI webhook;
    private final String runId;
    private final String correlationId;
    private final int maxRevisions;

    private Action(Builder b) {
        this.intent = b.intent;
        this.params = JsonValues.freezeObject(b.params);
        this.webhook = b.webhook;
        this.runId = b.runId;
        this.correlationId = b.correlationId;
        this.maxRevisions = b.maxRevisions;
    }

    /**
     * An action with an intent and parameters, and no run options.
     *
     * @param intent what to do, in plain words; not blank
     * @param params the parameters, a JSON object
     * @return the action
     */
    public static Action of(String intent, Map<String, ?> params) {
        return builder(intent).params(params).build();
    }

    /**
     * A builder for an action with the given intent.
     *
     * @param intent what to do, in plain words; not blank
     * @return the builder
     */
    public static Builder builder(String intent) {
        return new Builder(intent);
    }

    /** @return the intent, in plain words */
    public String intent() {
        return intent;
    }

    /** @return the parameters ({@code task0}'s input), deeply frozen */
    public Map<String, Object> params() {
        return params;
    }

    /** @return the webhook to notify when the run ends, if any */
    public Optional<URI> webhook() {
        return Optional.ofNullable(webhook);
    }

    /** @return the run id (idempotency key), if the caller chose one */
    public Optional<String> runId() {
        return Optional.ofNullable(runId);
    }

    /** @return the caller's correlation id, if any */
    public Optional<String> correlationId() {
        return Optional.ofNullable(correlationId);
    }

    /**
     * @return at most this many revised plans are asked for when a task of the run fails for good; 0 (the default)
     *         when re-planning is off
     */
    public int maxRevisions() {
        return maxRevisions;
    }

    /** @return whether the run is re-planned when a task fails for good */
    public boolean replans() {
        return maxRevisions > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Action a && intent.equals(a.intent) && params.equals(a.params)
                && Objects.equals(webhook, a.webhook) && Objects.equals(runId, a.runId)
                && Objects.equals(correlationId, a.correlationId) && maxRevisions == a.maxRevisions;
    }

    @Override
    public int hashCode() {
        return Objects.hash(intent, params, webhook, runId, correlationId, maxRevisions);
    }

    @Override
    public String toString() {
        return "Action[" + intent + ", params=" + params.keySet() + (runId == null ? "" : ", runId=" + runId) + "]";
    }

    /**
     * Builds an {@link Action}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private final String intent;
        private Map<String, Object> params = Map.of();
        private URI webhook;
        private String runId;
        private String correlationId;
        private int maxRevisions;

        private Builder(String intent) {
            Objects.requireNonNull(intent, "intent");
            if (intent.isBlank()) {
                throw new IllegalArgumentException("intent is blank");
            }
            this.intent = intent;
        }

        /**
         * Replaces the parameters.
         *
         * @param params a JSON object
         * @return this builder
         */
        public Builder params(Map<String, ?> params) {
            this.params = JsonValues.freezeObject(Objects.requireNonNull(params, "params"));
            return this;
        }

        /**
         * Adds or replaces one parameter.
         *
         * @param name  parameter name
         * @param value a JSON value
         * @return this builder
         */
        public Builder param(String name, Object value) {
            Objects.requireNonNull(name, "parameter name");
            Map<String, Object> copy = new java.util.LinkedHashMap<>(params);
            copy.put(name, value);
            this.params = JsonValues.freezeObject(copy);
            return this;
        }

        /**
         * @param webhook where to report the run's end; absolute
         * @return this builder
         */
        public Builder webhook(URI webhook) {
            Objects.requireNonNull(webhook, "webhook");
            if (!webhook.isAbsolute()) {
                throw new IllegalArgumentException("webhook must be an absolute URI, was " + webhook);
            }
            this.webhook = webhook;
            return this;
        }

        /**
         * @param runId the run id, an idempotency key: at most one run per id
         * @return this builder
         */
        public Builder runId(String runId) {
            Objects.requireNonNull(runId, "runId");
            if (runId.isBlank()) {
                throw new IllegalArgumentException("runId is blank");
            }
            this.runId = runId;
            return this;
        }

        /**
         * @param correlationId the caller's correlation id, recorded with the run
         * @return this builder
         */
        public Builder correlationId(String correlationId) {
            this.correlationId = Objects.requireNonNull(correlationId, "correlationId");
            return this;
        }

        /**
         * Turns re-planning on with the default bound ({@value Action#DEFAULT_MAX_REVISIONS} revisions).
         *
         * @return this builder
         * @see #replanOnFailure(int)
         */
        public Builder replanOnFailure() {
            return replanOnFailure(DEFAULT_MAX_REVISIONS);
        }

        /**
         * Re-plans the run when one of its tasks fails for good (its retries exhausted, or a failure that is not
         * retried): the planner gets the completed tasks with their outputs and the failure, and its revised plan,
         * once validated, runs on, skipping the tasks it keeps unchanged. Every revision asked for counts against the
         * bound, rejected ones included; past it the run fails with the original failure.
         *
         * @param maxRevisions at most this many revised plans are asked for per run; 0 turns re-planning off; at most
         *                     100
         * @return this builder
         */
        public Builder replanOnFailure(int maxRevisions) {
            if (maxRevisions < 0 || maxRevisions > 100) {
                throw new IllegalArgumentException("maxRevisions must be between 0 and 100, was " + maxRevisions);
            }
            this.maxRevisions = maxRevisions;
            return this;
        }

        /** @return the action */
        public Action build() {
            return new Action(this);
        }
    }
}
