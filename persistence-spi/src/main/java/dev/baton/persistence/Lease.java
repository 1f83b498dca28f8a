package dev.baton.persistence;

import java.time.Instant;

/**
 * An instance's claim on a run: while a run has a lease, only its owner may append to the run's log; another
 * instance takes it over with {@link RunStore#tryLease} once it has expired.
 *
 * @param runId     run id
 * @param owner     the owning instance's id
 * @param expiresAt when another instance may take the run over
 */
public record Lease(String runId, String owner, Instant expiresAt) {

    /**
     * @param now the current time
     * @return whether the lease has run out
     */
    public boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
