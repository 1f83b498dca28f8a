package dev.baton.integration;

import dev.baton.Orchestrator;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.EventTooLargeException;
import dev.baton.store.jdbc.JdbcRunStore;
import dev.baton.time.ManualTime;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the README promises of an event longer than the JDBC store accepts ({@code maxEventChars}), through the
 * orchestrator on an H2 file: a plan that big fails its submission and stores nothing; a task output that big leaves
 * its run waiting (no completion is reported that was not written, the handler is not called again), and once the
 * limit is raised the run recovers and completes with the same execution id.
 */
class EventLimitOnH2Test {

    private static final int LIMIT = 20_000;
    private static final String BIG = "y".repeat(30_000);

    @TempDir
    Path dir;
    private JdbcConnectionPool pool;

    @BeforeEach
    void openDatabase() {
        pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("baton").toString().replace('\\', '/'), "sa", "");
    }

    @AfterEach
    void closeDatabase() {
        pool.dispose();
    }

    private JdbcRunStore store(int maxEventChars) {
        return JdbcRunStore.builder(pool, JdbcRunStore.Dialect.H2).maxEventChars(maxEventChars).build();
    }

    @Test
    void aPlanOverTheLimitFailsItsSubmissionAndStoresNothing() {
        try (JdbcRunStore store = store(LIMIT);
             Orchestrator o = Orchestrator.builder().store(store).service("s", ctx -> Map.of()).build()) {
            Plan big = Plan.builder().params(Map.of("doc", BIG)).task("a", "s", Map.of("doc", "$task0.doc")).build();
            assertThatThrownBy(() -> o.submit(big, RunOptions.builder().runId("too-big").build()))
                    .hasRootCauseInstanceOf(EventTooLargeException.class);
            assertThat(store.events("too-big")).isEmpty();
            assertThat(o.inspect("too-big")).isEmpty();
            // the orchestrator and the store go on serving runs that fit
            RunResult ok = o.submit(Plan.builder().task("a", "s", Map.of()).build()).await(Duration.ofSeconds(30));
            assertThat(ok.status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void anOutputOverTheLimitLeavesItsRunWaitingUntilTheLimitIsRaised() throws Exception {
        Plan plan = Plan.builder().task("write", "writer", Map.of()).task("next", "reader", Map.of("n", "$write.n"))
                .build();
        RunOptions options = RunOptions.builder().runId("big-output").build();
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        ManualTime time = new ManualTime();
        try (JdbcRunStore store = store(LIMIT);
             Orchestrator o = Orchestrator.builder().store(store).time(time).shutdownTimeout(Duration.ofMillis(200))
                     .service("writer", ctx -> {
                         writes.incrementAndGet();
                         return Map.of("n", 1, "doc", BIG);
                     })
                     .service("reader", ctx -> {
                         reads.incrementAndGet();
                         return Map.of();
                     })
                     .build()) {
            int ownTimers = time.pending(); // the engine's own (its purge), scheduled at build
            RunHandle h = o.submit(plan, options);
            // the writer runs on a worker thread: once its completion's append is refused, a retry is scheduled.
            // Wait for that, not for any timer (the engine's own are always there), or a late worker is not yet done
            awaitQuietly(() -> time.pending() > ownTimers);
            // retried with backoff: a minute of retries changes nothing, each refused retry schedules the next
            for (int i = 0; i < 30; i++) {
                time.advance(Duration.ofSeconds(2));
                assertThat(time.pending()).as("a retry is scheduled").isGreaterThan(ownTimers);
            }
            assertThat(h.result()).isNotDone();
            assertThat(store.events("big-output")).noneMatch(e -> e instanceof TaskCompleted)
                    .filteredOn(e -> e instanceof TaskStarted).hasSize(1);
            assertThat(writes).hasValue(1);
            assertThat(reads).hasValue(0);
        }

        // the limit raised, a new orchestrator recovers the run: the task runs again under the same execution id
        try (JdbcRunStore store = store(1_000_000);
             Orchestrator o = Orchestrator.builder().store(store)
                     .service("writer", ctx -> {
                         writes.incrementAndGet();
                         assertThat(ctx.executionId()).isEqualTo("big-output/write");
                         return Map.of("n", 2, "doc", BIG);
                     })
                     .service("reader", ctx -> {
                         reads.incrementAndGet();
                         return Map.of("n", ctx.input().get("n"));
                     })
                     .build()) {
            RunResult r = o.submit(plan, options).await(Duration.ofSeconds(30));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("next")).isEqualTo(Map.of("n", 2));
            assertThat(writes).hasValue(2);
            assertThat(reads).hasValue(1);
            assertThat(LogInvariants.check(store.events("big-output"))).isEmpty();
        }
    }

    /** The engine schedules its first retry from the handler's worker thread: wait for it without sleeping. */
    private static void awaitQuietly(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s for the engine").isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
