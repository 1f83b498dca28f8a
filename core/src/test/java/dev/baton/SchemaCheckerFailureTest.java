package dev.baton;

import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;
import dev.baton.validation.SchemaChecker;
import dev.baton.validation.SchemaViolation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A schema checker that throws at run time fails the task it was checking; the run never hangs on it. */
class SchemaCheckerFailureTest {

    /** Accepts the planned input (a reference), then throws on the resolved one (a number in it). */
    static class Throwing implements SchemaChecker {
        @Override
        public List<SchemaViolation> validate(Map<String, Object> schema, Object value) {
            if (value instanceof Map<?, ?> m && m.values().stream().anyMatch(v -> v instanceof Number)) {
                fail();
            }
            return List.of();
        }

        void fail() {
            throw new IllegalStateException("checker broke");
        }

        @Override
        public List<String> checkSchema(Map<String, Object> schema) {
            return List.of();
        }
    }

    @Test
    void aDependentWhoseInputCannotBeCheckedFailsWithSchemaViolation() {
        dependentFailsWithSchemaViolation(new Throwing());
    }

    @Test
    void aCheckerThatOverflowsItsStackOnAResolvedInputFailsTheDependentToo() {
        // a recursive schema, say: before, the Error escaped the dependent's start and the run waited for ever
        dependentFailsWithSchemaViolation(new Throwing() {
            @Override
            void fail() {
                throw new StackOverflowError("checker broke");
            }
        });
    }

    @Test
    void aCheckersHugeMessageIsRecordedCutShort() {
        // the message goes into the run's log: it is bounded like a handler's
        dependentFailsWithSchemaViolation(new Throwing() {
            @Override
            void fail() {
                throw new IllegalStateException("checker broke " + "x".repeat(100_000));
            }
        });
    }

    private static void dependentFailsWithSchemaViolation(SchemaChecker checker) {
        InMemoryRunStore store = new InMemoryRunStore();
        try (Orchestrator o = Orchestrator.builder().store(store).schemaChecker(checker)
                .service("first", ctx -> Map.of("v", 1))
                .service(ServiceDescriptor.builder("second").inputSchema(Map.of("type", "object")).build(),
                        ctx -> "never", ServiceOptions.defaults())
                .build()) {
            // b is readied by a's completion: its resolved input is checked inside the drain of that completion
            Plan plan = Plan.builder().task("a", "first", Map.of()).task("b", "second", Map.of("x", "$a.v"))
                    .parallelGroups(List.of(List.of("a"), List.of("b"))).build();
            RunResult r = o.submit(plan, RunOptions.builder().runId("sc").build()).await(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error().orElseThrow().taskId()).isEqualTo("b");
            assertThat(r.error().orElseThrow().code()).isEqualTo("SCHEMA_VIOLATION");
            assertThat(r.error().orElseThrow().message()).contains("could not be checked").contains("checker broke")
                    .hasSizeLessThan(17_000);
            assertThat(r.output("a")).isEqualTo(Map.of("v", 1));
        }
        assertThat(LogInvariants.check(store.events("sc"))).isEmpty();
    }

    @Test
    void aCheckerThatThrowsWhileAPlanIsValidatedMakesThePlanInvalidInsteadOfThrowing() {
        SchemaChecker brokenOnSchemas = new SchemaChecker() {
            @Override
            public List<SchemaViolation> validate(Map<String, Object> schema, Object value) {
                return List.of();
            }

            @Override
            public List<String> checkSchema(Map<String, Object> schema) {
                throw new IllegalStateException("schema loader broke");
            }
        };
        SchemaChecker brokenOnValues = new SchemaChecker() {
            @Override
            public List<SchemaViolation> validate(Map<String, Object> schema, Object value) {
                throw new IllegalStateException("value check broke");
            }

            @Override
            public List<String> checkSchema(Map<String, Object> schema) {
                return List.of();
            }
        };
        Plan plan = Plan.builder().task("a", "checked", Map.of("x", 1)).build();
        for (SchemaChecker checker : List.of(brokenOnSchemas, brokenOnValues)) {
            try (Orchestrator o = Orchestrator.builder().schemaChecker(checker)
                    .service(ServiceDescriptor.builder("checked").inputSchema(Map.of("type", "object")).build(),
                            ctx -> "never", ServiceOptions.defaults())
                    .build()) {
                // before the fix the checker's exception reached the caller as it was; a re-planner validating a
                // revision treated it as a store failure and retried for ever
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.submit(plan))
                        .isInstanceOf(InvalidPlanException.class)
                        .hasMessageContaining("SCHEMA_VIOLATION")
                        .hasMessageContaining("the schema checker failed")
                        .hasMessageContaining("broke");
            }
        }
    }
}
