package dev.baton;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class TransportTest {

    @Test
    void remoteServicesGetTheFullRequestAndAreClosedWithTheOrchestrator() {
        List<TaskRequest> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean closed = new AtomicBoolean();
        TaskTransport transport = new TaskTransport() {
            @Override
            public CompletionStage<Object> dispatch(TaskRequest request) {
                seen.add(request);
                return CompletableFuture.completedFuture(Map.of("echo", request.input()));
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        Orchestrator o = Orchestrator.builder().store(new InMemoryRunStore())
                .remoteService(ServiceDescriptor.of("remote"), transport,
                        ServiceOptions.builder().timeout(Duration.ofSeconds(5)).build())
                .build();
        Plan plan = Plan.builder().params(Map.of("k", "v")).task("a", "remote", Map.of("x", "$task0.k")).build();
        RunResult r = o.submit(plan, RunOptions.builder().runId("r1").correlationId("c1").build())
                .await(Duration.ofSeconds(10));

        assertThat(r.output("a")).isEqualTo(Map.of("echo", Map.of("x", "v")));
        assertThat(seen).singleElement().satisfies(req -> {
            assertThat(req.runId()).isEqualTo("r1");
            assertThat(req.taskId()).isEqualTo("a");
            assertThat(req.service()).isEqualTo("remote");
            assertThat(req.executionId()).isEqualTo("r1/a");
            assertThat(req.attempt()).isEqualTo(1);
            assertThat(req.correlationId()).isEqualTo("c1");
            assertThat(req.deadline()).isNotNull();
        });
        o.close();
        assertThat(closed).isTrue();
    }
}
