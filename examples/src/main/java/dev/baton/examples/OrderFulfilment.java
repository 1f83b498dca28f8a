package dev.baton.examples;

import dev.baton.Orchestrator;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.ServiceOptions;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The seeds' order-fulfilment scenario: payment and inventory run in parallel, then delivery and notification, on the
 * embedded H2 store so the run survives a restart and can be inspected afterwards.
 *
 * <p>Run it with {@code java -jar examples/target/examples.jar [DATA_DIR]} (default {@code .baton-data}). Running it
 * again with the same order id returns the stored run instead of charging the customer twice.
 */
public final class OrderFulfilment {

    private OrderFulfilment() {
    }

    /**
     * @param args optional data directory for the embedded store
     */
    public static void main(String[] args) {
        System.exit(runIn(Path.of(args.length > 0 ? args[0] : ".baton-data"), System.out, System.err));
    }

    /**
     * Runs the scenario on the embedded store in {@code dir}; a failure is one line on {@code err}, not a stack trace.
     *
     * @return the exit code: 0 when the run completed, 1 otherwise
     */
    static int runIn(Path dir, PrintStream out, PrintStream err) {
        return EmbeddedExample.run("order-fulfilment", dir, err, store -> run(store, out));
    }

    /** The plan: task0 holds the order; payment and stock in parallel; then delivery and notification. */
    static Plan plan() {
        return Plan.builder()
                .params(Map.of("orderId", "ORD123", "customerId", "CUST789", "productId", "PROD456",
                        "amount", "299.99", "address", "1 Main St"))
                .task("payment", "payment-service", Map.of("orderId", "$task0.orderId", "amount", "$task0.amount"))
                .task("stock", "inventory-service", Map.of("productId", "$task0.productId"))
                .task("delivery", "delivery-agent", Map.of("orderId", "$task0.orderId", "address", "$task0.address",
                        "paymentId", "$payment.paymentId", "warehouse", "$stock.warehouse"))
                .task("notify", "notification-service", Map.of("customerId", "$task0.customerId",
                        "message", "Your order is paid", "paymentId", "$payment.paymentId"), List.of("stock"))
                .build();
    }

    /**
     * Runs the scenario and prints the groups, live progress and the inspect view.
     *
     * @param store where the run is kept
     * @param out   where to print
     * @return the run's result
     */
    static RunResult run(RunStore store, PrintStream out) {
        Plan plan = plan();
        try (Orchestrator baton = Orchestrator.builder()
                .store(store)
                .asyncService(ServiceDescriptor.builder("payment-service").description("Charges the customer").build(),
                        ctx -> after(120, Map.of("paymentId", "PAY-" + ctx.input().get("orderId"), "status", "captured")),
                        ServiceOptions.builder().timeout(Duration.ofSeconds(5)).build())
                .asyncService("inventory-service", ctx -> after(100, Map.of("inStock", true, "warehouse", "WH-EAST")))
                .asyncService("delivery-agent", ctx -> after(150,
                        Map.of("eta", "2 days", "carrier", "FastShip", "from", ctx.input().get("warehouse"))))
                .asyncService(ServiceDescriptor.of("notification-service"),
                        ctx -> after(50, Map.of("sent", true, "channel", "email")),
                        ServiceOptions.builder().capacity(2).build())
                .listener(e -> progress(out, e))
                .build()) {
            String runId = "order-" + plan.params().get("orderId");
            out.println("Plan groups: " + dev.baton.validation.PlanValidator.defaults().validate(plan).parallelGroups());
            RunResult result = baton.submit(plan, RunOptions.builder().runId(runId).build()).await(Duration.ofSeconds(30));
            out.println();
            out.println(InspectFormat.render(baton.inspect(runId).orElseThrow()));
            return result;
        }
    }

    private static void progress(PrintStream out, RunEvent e) {
        if (e instanceof TaskStarted s) {
            out.printf("  ▶ %-9s started (attempt %d)%n", s.taskId(), s.attempt());
        } else if (e instanceof TaskCompleted c) {
            out.printf("  ✔ %-9s completed%n", c.taskId());
        } else if (e instanceof TaskFailed f) {
            out.printf("  ✖ %-9s failed: %s%n", f.taskId(), f.error());
        }
    }

    /** A simulated service call: completes with {@code output} after about {@code millis}, without blocking. */
    private static CompletableFuture<Object> after(int millis, Object output) {
        long delay = millis / 2 + ThreadLocalRandom.current().nextInt(millis / 2);
        return CompletableFuture.supplyAsync(() -> output, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
    }
}
