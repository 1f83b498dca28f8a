package dev.baton.integration;

import dev.baton.plan.Plan;
import dev.baton.planner.Action;
import dev.baton.planner.DefinitionParameter;
import dev.baton.planner.DefinitionPlanner;
import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.NotActionable;
import dev.baton.planner.PlanDefinition;
import dev.baton.planner.Planner;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.planner.tck.PlannerContractTest;
import org.junit.jupiter.api.Nested;

import java.util.Map;

/**
 * {@link DefinitionPlanner} (by intent, over an in-memory repository) passes the planner contract kit: a saved
 * definition plans, a definition that answers not actionable does, and an unknown definition or a missing required
 * parameter fail with a {@code PlannerException}. It runs here, not in {@code baton-planner-spi}, because the kit
 * depends on the core, which depends on the SPI.
 */
class DefinitionPlannerContractTest extends PlannerContractTest {

    private static final ServiceCatalog CATALOG = ServiceCatalog.of(
            ServiceDescriptor.builder("customer-service").description("Finds a customer by id").build(),
            ServiceDescriptor.builder("order-system").description("Order details").build(),
            ServiceDescriptor.builder("ai-agent").description("Writes the reply").build());

    private static final PlanDefinition ASSIST = PlanDefinition.of("assist-customer", 1, Plan.builder()
                    .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                    .task("task2", "order-system", Map.of("orderId", "$task0.orderId"))
                    .task("task3", "ai-agent", Map.of("customer", "$task1", "order", "$task2", "tone", "$task0.tone"))
                    .build(),
            DefinitionParameter.required("customerId"), DefinitionParameter.required("orderId"),
            DefinitionParameter.optional("tone", "friendly"));

    /** A definition kept to answer that refunds cannot be done with these services. */
    private static final PlanDefinition REFUND = PlanDefinition.of("refund-order", 1,
            NotActionable.plan(Map.of(), "no service can refund an order"), DefinitionParameter.required("orderId"));

    @Override
    protected Planner createPlanner() {
        DefinitionRepository definitions = DefinitionRepository.inMemory();
        definitions.save(ASSIST);
        definitions.save(REFUND);
        return DefinitionPlanner.byIntent(definitions);
    }

    @Override
    protected PlanningRequest actionableRequest() {
        return PlanningRequest.first(Action.of("assist-customer",
                Map.of("customerId", "C1", "orderId", "O1")), CATALOG);
    }

    @Nested
    class RefundIsNotActionable extends NotActionableContract {
        @Override
        protected PlanningRequest notActionableRequest() {
            return PlanningRequest.first(Action.of("refund-order", Map.of("orderId", "O1")), CATALOG);
        }
    }

    @Nested
    class UnknownDefinition extends PlanningFailureContract {
        @Override
        protected PlanningRequest unplannableRequest() {
            return PlanningRequest.first(Action.of("assist-customer@7", Map.of("customerId", "C1", "orderId", "O1")),
                    CATALOG);
        }
    }

    @Nested
    class MissingParameter extends PlanningFailureContract {
        @Override
        protected PlanningRequest unplannableRequest() {
            return PlanningRequest.first(Action.of("assist-customer", Map.of("customerId", "C1")), CATALOG);
        }
    }
}
