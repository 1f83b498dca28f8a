package dev.baton;

import dev.baton.plan.Plan;

import java.util.List;
import java.util.Map;

/** Plans shared by the engine tests. */
final class Plans {

    private Plans() {
    }

    /** The seeds' order example: task1 and task2 in parallel, then task3 using both. */
    static Plan order() {
        return Plan.builder()
                .params(Map.of("customerId", "CUST789", "orderId", "ORD456"))
                .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("task2", "order-system", Map.of("orderId", "$task0.orderId"))
                .task("task3", "ai-agent", Map.of("customer", "$task1", "details", "$task2.details",
                        "price", "$$100", "items", List.of("$task2.details.items[0]", "literal")))
                .build();
    }

    /** A chain a -> b -> c of one service. */
    static Plan chain(String service, int n) {
        Plan.Builder b = Plan.builder().params(Map.of("seed", 1));
        b.task("t0", service, Map.of("in", "$task0.seed"));
        for (int i = 1; i < n; i++) {
            b.task("t" + i, service, Map.of("in", "$t" + (i - 1)));
        }
        return b.build();
    }
}
