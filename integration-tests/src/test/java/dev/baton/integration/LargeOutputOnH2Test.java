package dev.baton.integration;

import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.TaskView;
import dev.baton.event.RunCompleted;
import dev.baton.event.TaskCompleted;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.JdbcRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task output of a few megabytes (an agent's document, say) on the embedded database: more than an events row
 * holds, so the store keeps it apart; the run is resumed by a new orchestrator from the file, the output feeds its
 * dependent, and the run completes.
 */
class LargeOutputOnH2Test {

    /** 3,000,000 characters, not all ASCII. */
    private static final String DOC = "\u00fc\u20acx".repeat(1_000_000);

    @Test
    void aRunWithAThreeMegabyteOutputIsRecoveredFromTheFileAndCompletes(@TempDir Path dir) throws Exception {
        Plan plan = Plan.builder().task("write", "writer", Map.of())
                .task("read", "reader", Map.of("doc", "$write.doc")).build();
        RunOptions options = RunOptions.builder().runId("big").build();
        AtomicInteger writes = new AtomicInteger();
        CountDownLatch readerStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            // the first instance: the large output is durable (its dependent was dispatched), then the instance stops
            try (JdbcRunStore store = JdbcRunStore.embedded(dir);
                 Orchestrator o = Orchestrator.builder().store(store).shutdownTimeout(Duration.ofMillis(100))
                         .service("writer", ctx -> {
                             writes.incrementAndGet();
                             return Map.of("doc", DOC);
                         })
                         .service("reader", ctx -> {
                             readerStarted.countDown();
                             awaitUninterruptibly(release); // outlives its instance; its result goes nowhere
                             throw new IllegalStateException("the first instance is gone");
                         })
                         .build()) {
                o.submit(plan, options);
                assertThat(readerStarted.await(30, TimeUnit.SECONDS)).as("the dependent was dispatched").isTrue();
            }

            CompletableFuture<RunCompleted> completed = new CompletableFuture<>();
            try (JdbcRunStore store = JdbcRunStore.embedded(dir);
                 Orchestrator o = Orchestrator.builder().store(store)
                         .listener(e -> {
                             if (e instanceof RunCompleted c && c.runId().equals("big")) {
                                 completed.complete(c);
                             }
                         })
                         .service("writer", ctx -> {
                             writes.incrementAndGet();
                             return Map.of("doc", "written again");
                         })
                         .service("reader", ctx -> Map.of("chars", ((String) ctx.input().get("doc")).length(),
                                 "same", DOC.equals(ctx.input().get("doc"))))
                         .build()) {
                completed.get(30, TimeUnit.SECONDS);
                RunView v = o.inspect("big").orElseThrow();
                assertThat(v.status()).isEqualTo(RunStatus.COMPLETED);
                TaskView write = v.tasks().stream().filter(t -> t.taskId().equals("write")).findFirst().orElseThrow();
                assertThat(DOC.equals(((Map<?, ?>) write.output()).get("doc"))).as("inspect shows the document")
                        .isTrue();
                TaskView read = v.tasks().stream().filter(t -> t.taskId().equals("read")).findFirst().orElseThrow();
                assertThat(read.output()).isEqualTo(Map.of("chars", DOC.length(), "same", true));
                assertThat(writes).as("the durable output is not produced again").hasValue(1);
                assertThat(store.events("big")).filteredOn(e -> e instanceof TaskCompleted).hasSize(2);
            }
        } finally {
            release.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    latch.await(60, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
