package dev.baton.examples;

import dev.baton.Orchestrator;
import dev.baton.RunResult;
import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.DefinitionParameter;
import dev.baton.planner.DefinitionPlanner;
import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.PlanDefinition;
import dev.baton.store.DefinitionStoreRepository;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Submitting an action through a definition planner: a saved, versioned plan template ("assist-customer") is kept in
 * the same store as the runs, and an action naming it is planned, validated and run with its parameters as
 * {@code task0}.
 *
 * <p>Run it with {@code java -cp examples/target/examples.jar dev.baton.examples.PlanningWithDefinitions [DATA_DIR]}.
 */
public final class PlanningWithDefinitions {

    private PlanningWithDefinitions() {
    }

    /**
     * @param args optional data directory for the embedded store
     */
    public static void main(String[] args) {
        System.exit(EmbeddedExample.run("planning-with-definitions", Path.of(args.length > 0 ? args[0] : ".baton-data"),
                System.err, store -> run(store, System.out)));
    }

    /** The template: look the customer and the order up in parallel, then let the agent answer. */
    static PlanDefinition definition() {
        Plan template = Plan.builder()
                .task("customer", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("order", "order-system", Map.of("orderId", "$task0.orderId"))
                .task("reply", "ai-agent", Map.of("customer", "$customer.name", "status", "$order.status",
                        "tone", "$task0.tone"))
                .build();
        return PlanDefinition.of("assist-customer", 1, template, DefinitionParameter.required("customerId"),
                DefinitionParameter.required("orderId"), DefinitionParameter.optional("tone", "friendly"));
    }

    /**
     * Saves the definition (once; saving it again is a no-op) and submits an action through it.
     *
     * @param store where definitions and runs are kept
     * @param out   where to print
     * @return the run's result
     */
    static RunResult run(RunStore store, PrintStream out) {
        DefinitionRepository definitions = DefinitionStoreRepository.of(store);
        definitions.save(definition());
        try (Orchestrator baton = Orchestrator.builder()
                .store(store)
                .service("customer-service", ctx -> Map.of("name", "Ada", "id", ctx.input().get("customerId")))
                .service("order-system", ctx -> Map.of("status", "delayed", "id", ctx.input().get("orderId")))
                .service("ai-agent", ctx -> Map.of("message", "Dear " + ctx.input().get("customer") + ", your order is "
                        + ctx.input().get("status") + ". (" + ctx.input().get("tone") + ")"))
                .planner(DefinitionPlanner.byIntent(definitions))
                .build()) {
            Action action = Action.builder("assist-customer")
                    .param("customerId", "CUST789").param("orderId", "ORD456")
                    .runId("assist-ORD456")
                    .build();
            RunResult result = baton.submit(action).await(Duration.ofSeconds(30));
            out.println("Definitions: " + definitions.list().stream().map(PlanDefinition::key).toList());
            out.println("Run " + result.runId() + ": " + result.status());
            out.println("Reply: " + result.output("reply"));
            return result;
        }
    }
}
