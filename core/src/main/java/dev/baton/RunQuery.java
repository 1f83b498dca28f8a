package dev.baton;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which runs {@link Orchestrator#runs(RunQuery)} lists: by status and creation time, newest first, one page at a
 * time. Immutable; build with {@link #builder()}.
 *
 * @param statuses      statuses to include (empty: all)
 * @param createdAfter  only runs created at or after this time, or {@code null}
 * @param createdBefore only runs created before this time, or {@code null}
 * @param limit         page size, 1 to 10,000 (default 50)
 * @param offset        matching runs to skip
 */
public record RunQuery(Set<RunStatus> statuses, Instant createdAfter, Instant createdBefore, int limit, int offset) {

    /**
     * Checks the components.
     *
     * @param statuses      statuses to include (empty: all)
     * @param createdAfter  only runs created at or after this time, or {@code null}
     * @param createdBefore only runs created before this time, or {@code null}
     * @param limit         page size, 1 to 10,000 (default 50)
     * @param offset        matching runs to skip
     */
    public RunQuery {
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be between 1 and 10000, was " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    /** @return the 50 newest runs of any status */
    public static RunQuery recent() {
        return builder().build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link RunQuery}. Not thread-safe.
     */
    public static final class Builder {
        private final EnumSet<RunStatus> statuses = EnumSet.noneOf(RunStatus.class);
        private Instant after;
        private Instant before;
        private int limit = 50;
        private int offset;

        private Builder() {
        }

        /**
         * @param status a status to include (call again to add more)
         * @return this builder
         */
        public Builder status(RunStatus status) {
            statuses.add(Objects.requireNonNull(status, "status"));
            return this;
        }

        /**
         * @param after only runs created at or after this time
         * @return this builder
         */
        public Builder createdAfter(Instant after) {
            this.after = Objects.requireNonNull(after, "createdAfter");
            return this;
        }

        /**
         * @param before only runs created before this time
         * @return this builder
         */
        public Builder createdBefore(Instant before) {
            this.before = Objects.requireNonNull(before, "createdBefore");
            return this;
        }

        /**
         * @param limit page size, 1 to 10,000
         * @return this builder
         */
        public Builder limit(int limit) {
            if (limit < 1 || limit > 10_000) {
                throw new IllegalArgumentException("limit must be between 1 and 10000, was " + limit);
            }
            this.limit = limit;
            return this;
        }

        /**
         * @param offset matching runs to skip
         * @return this builder
         */
        public Builder offset(int offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0, was " + offset);
            }
            this.offset = offset;
            return this;
        }

        /** @return the query */
        public RunQuery build() {
            return new RunQuery(statuses, after, before, limit, offset);
        }
    }
}
