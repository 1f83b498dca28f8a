package dev.baton.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The in-memory store: a Caffeine cache expiring entries a fixed time after they were written. */
final class CaffeineResultStore implements ResultStore {

    private final Cache<String, StoredResult> cache;

    CaffeineResultStore(Duration retention, Clock clock, long maxEntries) {
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(retention)
                .maximumSize(maxEntries)
                .ticker(() -> clock.instant().toEpochMilli() * 1_000_000L)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Optional<StoredResult> get(String executionId) {
        return Optional.ofNullable(cache.getIfPresent(executionId));
    }

    @Override
    public void put(String executionId, StoredResult result, Duration retention) {
        cache.asMap().putIfAbsent(executionId, result);
    }
}
