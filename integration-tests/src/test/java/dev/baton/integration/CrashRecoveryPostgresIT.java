package dev.baton.integration;

import dev.baton.store.jdbc.JdbcRunStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL crash recovery on PostgreSQL: the parent starts a real server on loopback and hands its URL to each child;
 * the ledger table lives in the same database as the run log.
 */
class CrashRecoveryPostgresIT {

    static final int RUNS = 200;
    static final int KILLS = 5;

    static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void everyRunCompletesAndEveryEffectHappensOnceAcrossKills() throws Exception {
        long started = System.nanoTime();
        String url = server.createDatabase("crash");
        long seed = Long.getLong("baton.crash.seed", System.nanoTime());
        CrashHarness.Outcome outcome = CrashHarness.run("pg", url, RUNS, KILLS, seed);

        JdbcConnectionPool pool = DurableChild.pool(true, url);
        try (JdbcRunStore store = JdbcRunStore.postgres(pool)) {
            Durability.Tally tally = Durability.verify(store, pool, RUNS, outcome.reported());
            assertThat(outcome.killed()).isGreaterThanOrEqualTo(KILLS);
            System.out.printf("postgres crash test: %d kills (seed %d), %s, %d ms%n", outcome.killed(), seed, tally,
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            pool.dispose();
        }
    }
}
