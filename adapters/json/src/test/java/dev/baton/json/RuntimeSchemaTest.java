package dev.baton.json;

import dev.baton.Orchestrator;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.ServiceOptions;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Schemas are checked at run time too: resolved inputs before the handler, outputs after it. */
class RuntimeSchemaTest {

    private static final Map<String, Object> AMOUNT_SCHEMA = Map.of("type", "object",
            "required", List.of("amount"), "properties", Map.of("amount", Map.of("type", "number")));

    @Test
    void aResolvedInputThatViolatesTheSchemaFailsWithoutCallingTheHandlerAndIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().schemaChecker(new NetworkntSchemaChecker())
                .service("quote", ctx -> Map.of("amount", "not a number"))
                .service(ServiceDescriptor.builder("pay").inputSchema(AMOUNT_SCHEMA).build(), ctx -> {
                    calls.incrementAndGet();
                    return "paid";
                }, ServiceOptions.defaults())
                .build()) {
            // valid at planning time: the referenced value counts as present and its type is not judged
            Plan plan = Plan.builder().task("q", "quote", Map.of()).task("p", "pay", Map.of("amount", "$q.amount")).build();
            RunResult r = o.submit(plan).await(Duration.ofSeconds(10));

            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("SCHEMA_VIOLATION");
            assertThat(r.error().orElseThrow().message()).contains("/amount");
            assertThat(calls).hasValue(0);
            assertThat(o.inspect(r.runId()).orElseThrow().task("p").orElseThrow().attempts()).isEqualTo(1);
        }
    }

    @Test
    void anOutputThatViolatesTheOutputSchemaFailsTheTask() {
        AtomicInteger calls = new AtomicInteger();
        try (Orchestrator o = Orchestrator.builder().schemaChecker(new NetworkntSchemaChecker())
                .service(ServiceDescriptor.builder("quote").outputSchema(AMOUNT_SCHEMA).build(), ctx -> {
                    calls.incrementAndGet();
                    return Map.of("price", 3);
                }, ServiceOptions.defaults())
                .build()) {
            RunResult r = o.submit(Plan.builder().task("q", "quote", Map.of()).build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().code()).isEqualTo("SCHEMA_VIOLATION");
            // every violation named once, separated, the message not ending in a separator
            assertThat(r.error().orElseThrow().message()).startsWith("output does not match the service's output schema: /")
                    .doesNotEndWith(";").doesNotContain(";;").doesNotContain(".;");
            assertThat(calls).hasValue(1); // not retried
        }
    }
}
