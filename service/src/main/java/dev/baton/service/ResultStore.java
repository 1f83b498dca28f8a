package dev.baton.service;

import java.time.Duration;
import java.util.Optional;

/**
 * Where an {@link IdempotentService} keeps completed results, by execution id, for the retention window. The
 * in-memory default is {@link IdempotentService.Builder#retention}; plug a shared store (a database) when several
 * instances of the service must dedupe together. Implementations must be thread-safe.
 */
public interface ResultStore {

    /**
     * @param executionId the execution id
     * @return the stored result, if still retained
     */
    Optional<StoredResult> get(String executionId);

    /**
     * Keeps a result. A second put for the same id keeps the first.
     *
     * @param executionId the execution id
     * @param result      the result
     * @param retention   how long to keep it
     */
    void put(String executionId, StoredResult result, Duration retention);

    /**
     * A completed execution's output.
     *
     * @param output the output, plain JSON values; may be {@code null}
     */
    record StoredResult(Object output) {
    }
}
