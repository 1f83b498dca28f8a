package dev.baton.integration;

import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.FixedPlanner;
import dev.baton.planner.Planner;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.planner.tck.PlannerContractTest;

import java.util.List;
import java.util.Map;

/**
 * {@link FixedPlanner} passes the planner contract kit. It always answers with its plan, so it has neither a
 * not-actionable answer nor a failure, and runs only the tests for every planner. It runs here, not in
 * {@code baton-planner-spi}, because the kit depends on the core, which depends on the SPI.
 */
class FixedPlannerContractTest extends PlannerContractTest {

    private static final ServiceCatalog CATALOG = ServiceCatalog.of(
            ServiceDescriptor.builder("customer-service").description("Finds a customer by id")
                    .inputSchema(Map.of("type", "object", "required", List.of("customerId"),
                            "properties", Map.of("customerId", Map.of("type", "string"))))
                    .build(),
            ServiceDescriptor.builder("ai-agent").description("Writes the reply").build());

    @Override
    protected Planner createPlanner() {
        return FixedPlanner.of(Plan.builder()
                .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("task2", "ai-agent", Map.of("customer", "$task1", "tone", "$task0.tone"), List.of("task1"))
                .build());
    }

    @Override
    protected PlanningRequest actionableRequest() {
        return PlanningRequest.first(Action.of("assist the customer", Map.of("customerId", "C1", "tone", "warm")),
                CATALOG);
    }
}
