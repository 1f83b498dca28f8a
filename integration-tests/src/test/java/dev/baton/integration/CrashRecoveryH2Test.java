package dev.baton.integration;

import dev.baton.store.jdbc.JdbcRunStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL crash recovery on the H2 file store: the child JVM owns the database files while it lives (H2 file mode
 * admits one process), and the parent opens them only after the last child has exited.
 */
class CrashRecoveryH2Test {

    static final int RUNS = 200;
    static final int KILLS = 5;

    // a failed run keeps its database files for inspection; their directory is printed first
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void everyRunCompletesAndEveryEffectHappensOnceAcrossKills() throws Exception {
        long started = System.nanoTime();
        String url = "jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath().toString().replace('\\', '/');
        long seed = Long.getLong("baton.crash.seed", System.nanoTime());
        System.out.println("h2 crash test database: " + dir);
        CrashHarness.Outcome outcome = CrashHarness.run("h2", url, RUNS, KILLS, seed);

        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        try (JdbcRunStore store = JdbcRunStore.h2(pool)) {
            Durability.Tally tally = Durability.verify(store, pool, RUNS, outcome.reported());
            assertThat(outcome.killed()).isGreaterThanOrEqualTo(KILLS);
            System.out.printf("h2 crash test: %d kills (seed %d), %s, %d ms%n", outcome.killed(), seed, tally,
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            pool.dispose();
        }
    }
}
