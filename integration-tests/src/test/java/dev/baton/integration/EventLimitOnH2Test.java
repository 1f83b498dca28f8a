package dev.baton.integration;

import dev.baton.BatonException;
import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.EventTooLargeException;
import dev.baton.store.jdbc.JdbcRunStore;
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
 * orchestrator on an H2 file: a plan that big fails its submission and stores nothing; a task output that big fails
 * its task for good with {@code EVENT_REJECTED} (no completion is reported that was not written) and dead-letters it,
 * and once the limit is raised a redrive completes the run with the same execution id.
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
                    .isInstanceOfSatisfying(BatonException.class, e -> assertThat(e.code()).isEqualTo("EVENT_REJECTED"))
                    .hasRootCauseInstanceOf(EventTooLargeException.class);
            assertThat(store.events("too-big")).isEmpty();
            assertThat(o.inspect("too-big")).isEmpty();
            // the orchestrator and the store go on serving runs that fit
            RunResult ok = o.submit(Plan.builder().task("a", "s", Map.of()).build()).await(Duration.ofSeconds(30));
            assertThat(ok.status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void anOutputOverTheLimitFailsItsTaskWhichIsRedrivenOnceTheLimitIsRaised() {
        Plan plan = Plan.builder().task("write", "writer", Map.of()).task("next", "reader", Map.of("n", "$write.n"))
                .build();
        RunOptions options = RunOptions.builder().runId("big-output").build();
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        try (JdbcRunStore store = store(LIMIT);
             Orchestrator o = Orchestrator.builder().store(store)
                     .service("writer", ctx -> {
                         writes.incrementAndGet();
                         return Map.of("n", 1, "doc", BIG);
                     })
                     .service("reader", ctx -> {
                         reads.incrementAndGet();
                         return Map.of();
                     })
                     .build()) {
            RunResult r = o.submit(plan, options).await(Duration.ofSeconds(30));
            // not retried for ever: the task fails for good, naming the store's refusal, and nothing was reported
            // complete that the store did not take
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("write");
            assertThat(r.error().orElseThrow().code()).isEqualTo("EVENT_REJECTED");
            assertThat(r.error().orElseThrow().message()).contains("more than the store accepts (" + LIMIT + ")");
            assertThat(store.events("big-output")).noneMatch(e -> e instanceof TaskCompleted)
                    .filteredOn(e -> e instanceof TaskStarted).hasSize(1);
            assertThat(o.deadLetters()).extracting(d -> d.taskId()).containsExactly("write");
            assertThat(writes).hasValue(1);
            assertThat(reads).hasValue(0);
            assertThat(LogInvariants.check(store.events("big-output"))).isEmpty();
        }

        // the limit raised, a new orchestrator redrives the dead letter: the task runs again under the same id
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
            RunResult r = o.redrive("big-output", "write").await(Duration.ofSeconds(30));
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.output("next")).isEqualTo(Map.of("n", 2));
            assertThat(writes).hasValue(2);
            assertThat(reads).hasValue(1);
            assertThat(LogInvariants.check(store.events("big-output"))).isEmpty();
        }
    }

}
