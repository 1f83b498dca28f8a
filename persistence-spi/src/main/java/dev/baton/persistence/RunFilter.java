package dev.baton.persistence;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which runs a {@link RunStore#runs(RunFilter)} query returns: newest first, one page at a time.
 *
 * @param states        the states to include (empty: all)
 * @param createdAfter  only runs created at or after this time, or {@code null}
 * @param createdBefore only runs created before this time, or {@code null}
 * @param limit         page size, 1 to 10,000
 * @param offset        how many matching runs to skip
 */
public record RunFilter(Set<RunState> states, Instant createdAfter, Instant createdBefore, int limit, int offset) {

    /** The largest page a store returns. */
    public static final int MAX_LIMIT = 10_000;

    /**
     * Checks the components.
     *
     * @param states        the states to include (empty: all)
     * @param createdAfter  only runs created at or after this time, or {@code null}
     * @param createdBefore only runs created before this time, or {@code null}
     * @param limit         page size, 1 to 10,000
     * @param offset        how many matching runs to skip
     */
    public RunFilter {
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    /**
     * All runs, newest first.
     *
     * @param limit page size
     * @return the filter
     */
    public static RunFilter all(int limit) {
        return new RunFilter(Set.of(), null, null, limit, 0);
    }

    /**
     * @param run a run summary
     * @return whether this filter selects it (ignoring paging)
     */
    public boolean matches(RunRecord run) {
        Objects.requireNonNull(run, "run");
        return (states.isEmpty() || states.contains(run.state()))
                && (createdAfter == null || !run.createdAt().isBefore(createdAfter))
                && (createdBefore == null || run.createdAt().isBefore(createdBefore));
    }
}
