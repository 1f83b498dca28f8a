package dev.baton;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Options for one run: its id (the idempotency key), correlation id, limits, scheduling mode, failure policy and
 * timeout. Immutable and thread-safe; build with {@link #builder()}.
 */
public final class RunOptions {

    /** Run ids: 1 to 200 letters, digits, {@code _}, {@code -}, {@code :} or {@code .}, not starting with {@code .}. */
    public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,199}");

    private static final RunOptions DEFAULTS = new Builder().build();

    private final String runId;
    private final String correlationId;
    private final int maxParallel;
    private final SchedulingMode schedulingMode;
    private final FailurePolicy failurePolicy;
    private final Duration timeout;
    private final URI webhook;

    private RunOptions(Builder b) {
        this.runId = b.runId;
        this.correlationId = b.correlationId;
        this.maxParallel = b.maxParallel;
        this.schedulingMode = b.schedulingMode;
        this.failurePolicy = b.failurePolicy;
        this.timeout = b.timeout;
        this.webhook = b.webhook;
    }

    /** @return options with a generated run id and every default */
    public static RunOptions defaults() {
        return DEFAULTS;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the run id given by the caller, if any (else one is generated) */
    public Optional<String> runId() {
        return Optional.ofNullable(runId);
    }

    /** @return the correlation id given by the caller, if any */
    public Optional<String> correlationId() {
        return Optional.ofNullable(correlationId);
    }

    /** @return the run's own limit on running tasks; 0 means only the orchestrator's limit applies */
    public int maxParallel() {
        return maxParallel;
    }

    /** @return the scheduling mode */
    public SchedulingMode schedulingMode() {
        return schedulingMode;
    }

    /** @return the failure policy */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    /** @return the run timeout, if any */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return where to deliver the run's result when it ends, if anywhere */
    public Optional<URI> webhook() {
        return Optional.ofNullable(webhook);
    }

    @Override
    public String toString() {
        return "RunOptions[runId=" + runId + ", correlationId=" + correlationId + ", maxParallel=" + maxParallel
                + ", schedulingMode=" + schedulingMode + ", failurePolicy=" + failurePolicy + ", timeout=" + timeout
                + (webhook == null ? "" : ", webhook=" + webhook) + "]";
    }

    /**
     * Builds {@link RunOptions}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private String runId;
        private String correlationId;
        private int maxParallel;
        private SchedulingMode schedulingMode = SchedulingMode.GROUPS;
        private FailurePolicy failurePolicy = FailurePolicy.FAIL_FAST;
        private Duration timeout;
        private URI webhook;

        private Builder() {
        }

        /**
         * Sets the run id, the run's idempotency key: submitting it again returns the existing run.
         *
         * @param runId matches {@link #RUN_ID}
         * @return this builder
         */
        public Builder runId(String runId) {
            Objects.requireNonNull(runId, "runId");
            if (!RUN_ID.matcher(runId).matches()) {
                throw new IllegalArgumentException("runId must match " + RUN_ID.pattern() + ", was '" + runId + "'");
            }
            this.runId = runId;
            return this;
        }

        /**
         * @param correlationId an id that ties the run to the caller's request; passed to every handler
         * @return this builder
         */
        public Builder correlationId(String correlationId) {
            Objects.requireNonNull(correlationId, "correlationId");
            if (correlationId.isEmpty() || correlationId.length() > 256) {
                throw new IllegalArgumentException("correlationId must have 1 to 256 characters");
            }
            this.correlationId = correlationId;
            return this;
        }

        /**
         * @param maxParallel at most this many of the run's tasks run at once; at least 1
         * @return this builder
         */
        public Builder maxParallel(int maxParallel) {
            if (maxParallel < 1) {
                throw new IllegalArgumentException("maxParallel must be >= 1, was " + maxParallel);
            }
            this.maxParallel = maxParallel;
            return this;
        }

        /**
         * @param mode how to order tasks
         * @return this builder
         */
        public Builder schedulingMode(SchedulingMode mode) {
            this.schedulingMode = Objects.requireNonNull(mode, "schedulingMode");
            return this;
        }

        /**
         * @param policy what to do when a task fails for good
         * @return this builder
         */
        public Builder failurePolicy(FailurePolicy policy) {
            this.failurePolicy = Objects.requireNonNull(policy, "failurePolicy");
            return this;
        }

        /**
         * @param timeout how long the whole run may take; positive. When it passes, running tasks are interrupted
         *                and the run fails with {@code RUN_TIMEOUT}.
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Delivers the run's result here when it ends, through the orchestrator's
         * {@link Orchestrator.Builder#webhooks webhook transport}; each attempt is recorded in the run's log. Kept
         * in the run's settings (attribute {@code webhook}), so do not put a secret in the URL.
         *
         * @param webhook an absolute http or https URL
         * @return this builder
         */
        public Builder webhook(URI webhook) {
            Objects.requireNonNull(webhook, "webhook");
            String scheme = webhook.getScheme();
            if (!webhook.isAbsolute() || webhook.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                throw new IllegalArgumentException("webhook must be an absolute http or https URL, was '" + webhook + "'");
            }
            this.webhook = webhook;
            return this;
        }

        /** @return the options */
        public RunOptions build() {
            return new RunOptions(this);
        }
    }
}
