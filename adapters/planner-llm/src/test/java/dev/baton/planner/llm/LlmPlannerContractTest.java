package dev.baton.planner.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.planner.Action;
import dev.baton.planner.Planner;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.planner.tck.PlannerContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

import java.time.Duration;
import java.util.Map;

/**
 * {@link LlmPlanner} passes the planner contract kit, against a chat-completions endpoint on loopback that answers
 * each request from the intent it holds: a plan, a not-actionable plan, prose without a plan
 * ({@code NO_PLAN_IN_REPLY}), or HTTP 400 with an error body that echoes the whole request
 * ({@code PLANNER_UNAVAILABLE}, quoting only the start of it).
 */
class LlmPlannerContractTest extends PlannerContractTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String PLAN = """
            {"tasks": [
              {"id": "task0", "input": {"customerId": "CUST789", "orderId": "ORD456"}},
              {"id": "task1", "service": "customer-service", "input": {"customerId": "$task0.customerId"}},
              {"id": "task2", "service": "order-system", "input": {"orderId": "$task0.orderId"}},
              {"id": "task3", "service": "ai-agent", "input": {"customer": "$task1", "order": "$task2.details"}}
            ], "parallel_groups": [["task1", "task2"], ["task3"]]}""";

    private static final String NOT_ACTIONABLE = """
            {"tasks": [{"id": "task0", "input": {}},
                       {"id": "final", "input": {"error": "No service can issue refunds"}}]}""";

    private static final ServiceCatalog CATALOG = ServiceCatalog.of(
            ServiceDescriptor.builder("customer-service").description("Finds a customer by id").version("1.2")
                    .inputSchema(Map.of("type", "object", "properties", Map.of("customerId", Map.of("type", "string"))))
                    .outputSchema(Map.of("type", "object", "properties", Map.of("name", Map.of("type", "string"))))
                    .build(),
            ServiceDescriptor.builder("order-system").description("Order details").build(),
            ServiceDescriptor.builder("ai-agent").description("Writes the reply").build());

    private ReplayServer server;

    /** The model's answer to one request, chosen by the intent the request's prompt holds. */
    private static ReplayServer.Reply answer(ReplayServer.Received request) {
        String body = request.body();
        if (body.contains("refund the order")) {
            return ReplayServer.ok(NOT_ACTIONABLE);
        }
        if (body.contains("juggle the orders")) {
            return ReplayServer.ok("I am not sure how to do that with these services.");
        }
        if (body.contains("teleport the order")) {
            try {
                return new ReplayServer.Reply(400, Map.of(), MAPPER.writeValueAsString(Map.of("error",
                        Map.of("message", "this model cannot plan the request " + body))), false, false);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return ReplayServer.ok("Here is the plan:\n```json\n" + PLAN + "\n```");
    }

    @Override
    protected Planner createPlanner() throws Exception {
        server = new ReplayServer(LlmPlannerContractTest::answer);
        return LlmPlanner.builder().baseUrl(server.baseUrl()).model("test-model").apiKey("sk-contract-test-key")
                .requestTimeout(Duration.ofSeconds(10)).sleeper(d -> { }).build();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static PlanningRequest request(String intent) {
        return PlanningRequest.first(Action.of(intent, Map.of("customerId", "CUST789", "orderId", "ORD456")), CATALOG);
    }

    @Override
    protected PlanningRequest actionableRequest() {
        return request("Assist customer with delayed order");
    }

    @Nested
    class RefundsAreNotActionable extends NotActionableContract {
        @Override
        protected PlanningRequest notActionableRequest() {
            return request("refund the order");
        }
    }

    @Nested
    class ReplyWithoutAPlan extends PlanningFailureContract {
        @Override
        protected PlanningRequest unplannableRequest() {
            return request("juggle the orders");
        }
    }

    @Nested
    class EndpointRefusesTheRequest extends PlanningFailureContract {
        @Override
        protected PlanningRequest unplannableRequest() {
            return request("teleport the order");
        }
    }
}
