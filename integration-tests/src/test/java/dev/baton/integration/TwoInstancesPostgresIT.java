package dev.baton.integration;

import dev.baton.persistence.RunRecord;
import dev.baton.store.jdbc.JdbcRunStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two orchestrator instances ("a" and "b", two JVMs) share one PostgreSQL database with a short lease; 500 runs are
 * submitted across both; "a" is killed with SIGKILL midway. Its leases expire and "b"'s upkeep timer takes its runs
 * over: every run completes, every effect happens once.
 */
class TwoInstancesPostgresIT {

    static final int RUNS = 500;
    static final String LEASE_MILLIS = "2000";

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
    void survivorTakesOverTheKilledInstancesRuns() throws Exception {
        long started = System.nanoTime();
        String url = server.createDatabase("twoinstances");
        JdbcConnectionPool pool = DurableChild.pool(true, url);
        LedgerWorkload.createTables(pool);
        try (JdbcRunStore store = JdbcRunStore.postgres(pool)) {
            int half = RUNS / 2;
            // a stalls after a tenth of its work, so the kill lands mid-run however fast the machine is (on a fast
            // one, a used to finish every run before the parent read its progress)
            int stallAfter = half * LedgerWorkload.TASKS / 10;
            ChildProcess a = ChildProcess.start("a", "pg", url, "1", "a", LEASE_MILLIS, "0", Integer.toString(half),
                    "linger", Integer.toString(stallAfter));
            ChildProcess b = ChildProcess.start("b", "pg", url, "1", "b", LEASE_MILLIS, Integer.toString(half),
                    Integer.toString(RUNS), "linger");
            try {
                // every run must exist before the kill, or nobody could ever take it over: wait for a's submits
                assertThat(a.awaitLine("SUBMITTED", 150_000)).as("a submitted its runs").isTrue();
                // then let it work until it stalls: some tasks done, some running (effect applied, no completion
                // recorded), most pending
                assertThat(a.awaitLine("STALLED", 150_000)).as("a made progress and stalled").isTrue();
                assertThat(a.process.isAlive()).as("a still running").isTrue();
                assertThat(a.kill()).as("exit status of a SIGKILLed JVM").isEqualTo(ChildProcess.SIGKILL_EXIT);
                int orphaned = 0;
                for (int n = 0; n < half; n++) {
                    Optional<RunRecord> r = store.run(LedgerWorkload.runId(n));
                    if (r.isEmpty() || !r.get().state().isTerminal()) {
                        orphaned++;
                    }
                }
                System.out.println("killed a with " + orphaned + " of its " + half + " runs unfinished");
                assertThat(orphaned).as("a's runs left unfinished by the kill").isPositive();

                // b finishes its own runs and takes a's over once their leases expire
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
                while (!allEnded(store)) {
                    assertThat(System.nanoTime()).as("every run ended in time").isLessThan(deadline);
                    assertThat(b.process.waitFor(50, TimeUnit.MILLISECONDS)).as("b still running").isFalse();
                }
                Durability.Tally tally = Durability.verify(store, pool, RUNS);
                System.out.printf("two instances: a killed with %d runs unfinished, %s, %d ms%n", orphaned, tally,
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                if (a.process.isAlive()) {
                    a.kill();
                }
                b.process.getOutputStream().close();
                if (!b.process.waitFor(30, TimeUnit.SECONDS)) {
                    b.kill();
                }
            }
        } finally {
            pool.dispose();
        }
    }

    private static boolean allEnded(JdbcRunStore store) {
        for (int n = 0; n < RUNS; n++) {
            Optional<RunRecord> r = store.run(LedgerWorkload.runId(n));
            if (r.isEmpty() || !r.get().state().isTerminal()) {
                return false;
            }
        }
        return true;
    }
}
