package dev.baton.validation;

/**
 * Bounds that keep validation (and the JSON reader) cheap on hostile plans. A plan that exceeds one is reported
 * with {@link ValidationCode#LIMIT_EXCEEDED}. Immutable and thread-safe.
 *
 * @param maxTasks        executable tasks per plan ({@code task0}, the parameters, not counted)
 * @param maxDepth        nesting depth of a task input (an input object is depth 1)
 * @param maxPlanBytes    size of a plan document in bytes (enforced by readers of plan text)
 * @param maxStringLength characters in one string value or key (plan and catalog JSON hold a key to at most 50,000
 *                        characters even when this is more)
 */
public record ValidationLimits(int maxTasks, int maxDepth, long maxPlanBytes, int maxStringLength) {

    /** Default tasks per plan. */
    public static final int DEFAULT_MAX_TASKS = 100_000;
    /** Default input nesting depth. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** Default plan document size: 16 MiB. */
    public static final long DEFAULT_MAX_PLAN_BYTES = 16L * 1024 * 1024;
    /** Default string length: 1 Mi characters. */
    public static final int DEFAULT_MAX_STRING_LENGTH = 1 << 20;

    private static final ValidationLimits DEFAULTS = new ValidationLimits(DEFAULT_MAX_TASKS, DEFAULT_MAX_DEPTH,
            DEFAULT_MAX_PLAN_BYTES, DEFAULT_MAX_STRING_LENGTH);

    /**
     * Checks the components.
     *
     * @param maxTasks        executable tasks per plan ({@code task0}, the parameters, not counted)
     * @param maxDepth        nesting depth of a task input (an input object is depth 1)
     * @param maxPlanBytes    size of a plan document in bytes (enforced by readers of plan text)
     * @param maxStringLength characters in one string value or key (plan and catalog JSON hold a key to at most
     *                        50,000 characters even when this is more)
     */
    public ValidationLimits {
        positive("maxTasks", maxTasks);
        depth(maxDepth);
        positive("maxPlanBytes", maxPlanBytes);
        positive("maxStringLength", maxStringLength);
    }

    /** @return the defaults: 100,000 tasks, depth 64, 16 MiB, 1 Mi characters per string */
    public static ValidationLimits defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    private static void depth(int maxDepth) {
        positive("maxDepth", maxDepth);
        if (maxDepth > 900) {
            // plan values are frozen with a hard bound of 1,000 levels; stay well inside it
            throw new IllegalArgumentException("maxDepth must be at most 900, got " + maxDepth);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Builds {@link ValidationLimits}; not thread-safe, each setting checked as it is made. */
    public static final class Builder {
        private int maxTasks = DEFAULT_MAX_TASKS;
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private long maxPlanBytes = DEFAULT_MAX_PLAN_BYTES;
        private int maxStringLength = DEFAULT_MAX_STRING_LENGTH;

        private Builder() {
        }

        /**
         * @param maxTasks tasks per plan, positive
         * @return this builder
         */
        public Builder maxTasks(int maxTasks) {
            positive("maxTasks", maxTasks);
            this.maxTasks = maxTasks;
            return this;
        }

        /**
         * @param maxDepth input nesting depth, 1 to 900
         * @return this builder
         */
        public Builder maxDepth(int maxDepth) {
            depth(maxDepth);
            this.maxDepth = maxDepth;
            return this;
        }

        /**
         * @param maxPlanBytes plan document size in bytes, positive
         * @return this builder
         */
        public Builder maxPlanBytes(long maxPlanBytes) {
            positive("maxPlanBytes", maxPlanBytes);
            this.maxPlanBytes = maxPlanBytes;
            return this;
        }

        /**
         * @param maxStringLength characters per string or key, positive (plan and catalog JSON hold a key to at most
         *                        50,000 characters even when this is more)
         * @return this builder
         */
        public Builder maxStringLength(int maxStringLength) {
            positive("maxStringLength", maxStringLength);
            this.maxStringLength = maxStringLength;
            return this;
        }

        /** @return the limits */
        public ValidationLimits build() {
            return new ValidationLimits(maxTasks, maxDepth, maxPlanBytes, maxStringLength);
        }
    }
}
