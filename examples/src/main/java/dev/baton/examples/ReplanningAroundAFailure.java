package dev.baton.examples;

import dev.baton.NonRetryableException;
import dev.baton.Orchestrator;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.ServiceOptions;
import dev.baton.TaskView;
import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.Planner;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Re-planning that keeps finished work, with a service registered while the orchestrator runs. The order system is
 * down; after the first run fails over it, a read-only order archive is registered. A later action that asked for
 * re-planning hits the same failure, and its planner revises the plan: the order look-up moves to the archive, the
 * customer look-up that already completed is kept (not called again), and the run completes under plan version 2.
 *
 * <p>Run it with {@code java -cp examples/target/examples.jar dev.baton.examples.ReplanningAroundAFailure}.
 */
public final class ReplanningAroundAFailure {

    private ReplanningAroundAFailure() {
    }

    /**
     * @param args unused
     */
    public static void main(String[] args) {
        RunResult r = run(new InMemoryRunStore(), System.out, new AtomicInteger());
        System.exit(r.status() == RunStatus.COMPLETED ? 0 : 1);
    }

    static Plan plan() {
        return Plan.builder()
                .task("customer", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("order", "order-system", Map.of("orderId", "$task0.orderId"))
                .task("reply", "ai-agent", Map.of("customer", "$customer.name", "status", "$order.status"))
                .build();
    }

    /**
     * Plans {@link #plan()}; asked to revise, moves the failed task to a service of the catalog whose description
     * says it can stand in for the failed one, and keeps everything else as it was.
     */
    static final class FallbackPlanner implements Planner {
        @Override
        public Plan plan(PlanningRequest request) {
            if (!request.isRevision()) {
                return FixedPlanner.of(ReplanningAroundAFailure.plan()).plan(request);
            }
            String failedService = request.revision().failure().service();
            String standIn = request.catalog().services().stream()
                    .filter(d -> d.description().contains("stands in for " + failedService))
                    .map(ServiceDescriptor::name).findFirst().orElse(null);
            if (standIn == null) {
                return dev.baton.planner.NotActionable.plan(request.action().params(),
                        "nothing can stand in for " + failedService);
            }
            Plan current = request.revision().plan();
            List<Task> tasks = new ArrayList<>();
            for (Task t : current.tasks()) {
                boolean failed = t.id().equals(request.revision().failure().taskId());
                tasks.add(failed ? new Task(t.id(), standIn, t.input(), t.dependsOn()) : t);
            }
            return Plan.of(tasks, current.parallelGroups());
        }

        @Override
        public String name() {
            return "fallback";
        }
    }

    /**
     * @param store        where runs are kept
     * @param out          where to print
     * @param customerCalls counts the customer service's calls
     * @return the re-planned run's result
     */
    static RunResult run(RunStore store, PrintStream out, AtomicInteger customerCalls) {
        try (Orchestrator baton = Orchestrator.builder()
                .store(store)
                .service("customer-service", ctx -> {
                    customerCalls.incrementAndGet();
                    return Map.of("name", "Ada");
                })
                .service("order-system", ctx -> {
                    throw new NonRetryableException("order system answers 503");
                })
                .service("ai-agent", ctx -> Map.of("message", "Dear " + ctx.input().get("customer")
                        + ", your order is " + ctx.input().get("status") + "."))
                .planner(new FallbackPlanner())
                .build()) {
            RunResult plain = baton.submit(Action.builder("assist-customer").param("customerId", "CUST789")
                    .param("orderId", "ORD456").runId("assist-1").build()).await(Duration.ofSeconds(30));
            out.println("Run assist-1 (no re-planning): " + plain.status() + ", " + plain.error().orElseThrow());

            int version = baton.registerService(ServiceDescriptor.builder("order-archive")
                            .description("read-only order copy; stands in for order-system").build(),
                    ctx -> Map.of("status", "delayed (from the archive)"), ServiceOptions.defaults());
            out.println("Registered order-archive, catalog version " + version);

            RunResult r = baton.submit(Action.builder("assist-customer").param("customerId", "CUST789")
                    .param("orderId", "ORD456").runId("assist-2").replanOnFailure(2).build())
                    .await(Duration.ofSeconds(30));
            RunView v = baton.inspect("assist-2").orElseThrow();
            out.println("Run assist-2: " + r.status() + " under plan version " + v.planVersion()
                    + ", services " + v.serviceVersions());
            for (TaskView t : v.tasks()) {
                out.println("  " + t.taskId() + " via " + t.service() + " [" + t.executionId() + "]: " + t.output());
            }
            return r;
        }
    }
}
