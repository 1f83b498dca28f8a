package dev.baton.validation;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanValidatorTest {

    private static Plan orderPlan() {
        return Plan.builder()
                .params(Map.of("customerId", "CUST789", "orderId", "ORD456"))
                .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
                .task("task2", "order-system", Map.of("orderId", "$task0.orderId"))
                .task("task3", "ai-agent", Map.of("customerData", "$task1", "orderData", "$task2.details"))
                .build();
    }

    private static List<ValidationCode> codes(ValidationResult r) {
        return r.errors().stream().map(ValidationError::code).toList();
    }

    @Test
    void validPlanComputesGroupsAndGraph() {
        ValidationResult r = PlanValidator.defaults().validate(orderPlan());
        assertThat(r.isValid()).isTrue();
        assertThat(r.errors()).isEmpty();
        assertThat(r.parallelGroups()).containsExactly(List.of("task1", "task2"), List.of("task3"));
        assertThat(r.criticalPathLength()).isEqualTo(2);
        PlanGraph g = r.graph().orElseThrow();
        assertThat(g.size()).isEqualTo(3);
        assertThat(g.indexOf("task3")).isEqualTo(2);
        assertThat(g.indexOf("task0")).isEqualTo(-1);
        assertThat(g.indexOf("nope")).isEqualTo(-1);
        assertThat(g.task(0).id()).isEqualTo("task1");
        for (int i = 0; i < g.size(); i++) {
            assertThat(g.taskId(i)).isEqualTo(g.task(i).id()); // task0 excluded: the ids follow the executable tasks
        }
        assertThat(g.taskId(2)).isEqualTo("task3");
        assertThat(g.dependencies(2)).containsExactlyInAnyOrder(0, 1);
        assertThat(g.dependencyCount(2)).isEqualTo(2);
        assertThat(g.dependents(0)).containsExactly(2);
        assertThat(g.dependentCount(0)).isEqualTo(1);
        assertThat(g.dependentAt(1, 0)).isEqualTo(2);
        assertThatThrownBy(() -> g.dependentAt(1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(g.dependencies(0)).isEmpty();
        assertThat(g.group(0)).isZero();
        assertThat(g.group(2)).isEqualTo(1);
        assertThat(g.groupsFromPlan()).isFalse();
        assertThat(g.parallelGroups()).isEqualTo(r.parallelGroups());
        assertThat(g.params()).containsEntry("orderId", "ORD456");
        assertThat(g.criticalPathLength()).isEqualTo(2);
        assertThat(g.references(2)).extracting(ReferenceSite::pointer).containsExactlyInAnyOrder("/customerData", "/orderData");
        assertThat(g.references(0)).singleElement().satisfies(s -> assertThat(s.reference().isParams()).isTrue());
        assertThat(g.toString()).contains("3 tasks");
    }

    @Test
    void arraysReturnedAreCopies() {
        PlanGraph g = PlanValidator.defaults().validate(orderPlan()).graph().orElseThrow();
        g.dependencies(2)[0] = 99;
        assertThat(g.dependencies(2)).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void planGroupsAreHonoured() {
        Plan p = orderPlan().withParallelGroups(List.of(List.of("task2"), List.of("task1"), List.of("task3")));
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.isValid()).isTrue();
        assertThat(r.parallelGroups()).containsExactly(List.of("task2"), List.of("task1"), List.of("task3"));
        assertThat(r.graph().orElseThrow().groupsFromPlan()).isTrue();
        assertThat(r.graph().orElseThrow().group(0)).isEqualTo(1);
        assertThat(r.criticalPathLength()).isEqualTo(2);
    }

    @Test
    void emptyPlan() {
        assertThat(codes(PlanValidator.defaults().validate(Plan.builder().build()))).containsExactly(ValidationCode.EMPTY_PLAN);
        Plan onlyParams = Plan.builder().params(Map.of("a", 1)).build();
        ValidationResult r = PlanValidator.defaults().validate(onlyParams);
        assertThat(codes(r)).containsExactly(ValidationCode.EMPTY_PLAN);
        assertThat(r.graph()).isEmpty();
    }

    @Test
    void task0NamingAServiceIsRefusedNotSilentlyTakenForParameters() {
        Plan p = Plan.of(List.of(new Task("task0", "customer-service", Map.of("customerId", "CUST789"), null),
                Task.of("task1", "s", Map.of("c", "$task0.customerId"))), List.of());
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.INVALID_STRUCTURE);
            assertThat(e.taskId()).isEqualTo("task0");
            assertThat(e.path()).isEqualTo("/tasks/0/service");
            assertThat(e.message()).contains("never runs", "customer-service");
        });
        Plan onlyTask0 = Plan.of(List.of(new Task("task0", "customer-service", Map.of(), null)), List.of());
        assertThat(codes(PlanValidator.defaults().validate(onlyTask0)))
                .containsExactly(ValidationCode.INVALID_STRUCTURE, ValidationCode.EMPTY_PLAN);
    }

    @Test
    void invalidTaskId() {
        Plan p = Plan.builder().task("bad id!", "s", Map.of()).task("x".repeat(129), "s", Map.of()).build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(codes(r)).containsExactly(ValidationCode.INVALID_TASK_ID, ValidationCode.INVALID_TASK_ID);
        assertThat(r.errors().get(0).path()).isEqualTo("/tasks/0/id");
        assertThat(r.errors().get(0).taskId()).isEqualTo("bad id!");
    }

    @Test
    void duplicateTaskId() {
        Plan p = Plan.builder().params(Map.of()).task("a", "s", Map.of()).task("a", "s", Map.of()).build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.DUPLICATE_TASK_ID);
            assertThat(e.path()).isEqualTo("/tasks/2/id");
            assertThat(e.message()).contains("/tasks/1");
        });
        Plan twoParams = Plan.of(List.of(new Task("task0", null, Map.of(), null), new Task("task0", null, Map.of(), null),
                Task.of("a", "s", Map.of())), List.of());
        assertThat(codes(PlanValidator.defaults().validate(twoParams))).containsExactly(ValidationCode.DUPLICATE_TASK_ID);
    }

    @Test
    void missingAndUnknownService() {
        Plan p = Plan.of(List.of(new Task("a", null, Map.of(), null), new Task("b", " ", Map.of(), null),
                Task.of("c", "ghost", Map.of()), Task.of("d", "known", Map.of())), List.of());
        assertThat(codes(PlanValidator.defaults().validate(p)))
                .containsExactly(ValidationCode.MISSING_SERVICE, ValidationCode.MISSING_SERVICE);
        PlanValidator v = PlanValidator.builder().catalog(ServiceCatalog.of(ServiceDescriptor.of("known"))).build();
        ValidationResult r = v.validate(p);
        assertThat(codes(r)).containsExactly(ValidationCode.MISSING_SERVICE, ValidationCode.MISSING_SERVICE,
                ValidationCode.UNKNOWN_SERVICE);
        assertThat(r.errors().get(2).path()).isEqualTo("/tasks/2/service");
        assertThat(r.errors().get(2).taskId()).isEqualTo("c");
    }

    @Test
    void invalidReference() {
        Plan p = Plan.builder().task("a", "s", Map.of("x", "$", "y", List.of("$a..b"), "z", "$$literal", "w", "$b[x]"))
                .task("b", "s", Map.of()).build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(codes(r)).containsOnly(ValidationCode.INVALID_REFERENCE).hasSize(3);
        assertThat(r.errors()).extracting(ValidationError::path)
                .containsExactlyInAnyOrder("/tasks/0/input/x", "/tasks/0/input/y/0", "/tasks/0/input/w");
    }

    @Test
    void danglingReferences() {
        Plan p = Plan.builder().params(Map.of("known", Map.of("deep", 1)))
                .task("a", "s", Map.of("x", "$ghost.field", "p", "$task0.unknown", "q", "$task0.known.deep",
                        "r", "$task0.known.nope"), List.of("phantom"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(codes(r)).containsOnly(ValidationCode.DANGLING_REFERENCE).hasSize(4);
        assertThat(r.errors()).extracting(ValidationError::path).containsExactlyInAnyOrder("/tasks/1/input/x",
                "/tasks/1/input/p", "/tasks/1/input/r", "/tasks/1/depends_on/0");
        assertThat(r.errors()).anySatisfy(e -> assertThat(e.message()).contains("$task0.known.nope"));
        Plan noParams = Plan.builder().task("a", "s", Map.of("x", "$task0.k")).build();
        assertThat(codes(PlanValidator.defaults().validate(noParams))).containsExactly(ValidationCode.DANGLING_REFERENCE);
    }

    @Test
    void dependsOnTask0IsHarmless() {
        Plan p = Plan.builder().params(Map.of()).task("a", "s", Map.of(), List.of("task0")).build();
        assertThat(PlanValidator.defaults().validate(p).isValid()).isTrue();
    }

    @Test
    void selfReference() {
        Plan p = Plan.builder().task("a", "s", Map.of("x", "$a.out")).task("b", "s", Map.of(), List.of("b")).build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(codes(r)).containsExactly(ValidationCode.SELF_REFERENCE, ValidationCode.SELF_REFERENCE);
        assertThat(r.errors().get(1).path()).isEqualTo("/tasks/1/depends_on/0");
    }

    @Test
    void cycleMessageShowsTheCycle() {
        Plan p = Plan.builder()
                .task("a", "s", Map.of("x", "$b"))
                .task("b", "s", Map.of("y", "$c.v"))
                .task("c", "s", Map.of(), List.of("a"))
                .task("d", "s", Map.of("z", "$a"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.CYCLE);
            assertThat(e.message()).endsWith("a -> b -> c -> a");
            assertThat(e.taskId()).isEqualTo("a");
            assertThat(e.path()).isEqualTo("/tasks/0/input/x");
        });
        assertThat(r.parallelGroups()).isEmpty();
        assertThat(r.criticalPathLength()).isZero();
        assertThat(r.graph()).isEmpty();
    }

    @Test
    void severalCyclesAreReported() {
        Plan p = Plan.builder()
                .task("a", "s", Map.of("x", "$b")).task("b", "s", Map.of("x", "$a"))
                .task("c", "s", Map.of("x", "$d")).task("d", "s", Map.of("x", "$c"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).extracting(ValidationError::message)
                .containsExactly("tasks wait for each other in a cycle: a -> b -> a",
                        "tasks wait for each other in a cycle: c -> d -> c");
    }

    @Test
    void groupProblems() {
        Plan p = orderPlan().withParallelGroups(List.of(
                List.of("task1", "task3", "ghost", "task0"),
                List.of("task1")));
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(codes(r)).containsExactly(ValidationCode.GROUP_UNKNOWN_TASK, ValidationCode.GROUP_UNKNOWN_TASK,
                ValidationCode.GROUP_DUPLICATE_TASK, ValidationCode.GROUP_MISSING_TASK, ValidationCode.GROUP_ORDER);
        assertThat(r.errors().get(0).path()).isEqualTo("/parallel_groups/0/2");
        assertThat(r.errors().get(2).path()).isEqualTo("/parallel_groups/1/0");
        assertThat(r.errors().get(3).taskId()).isEqualTo("task2");
        assertThat(r.errors().get(4).taskId()).isEqualTo("task3");
        assertThat(r.errors().get(4).message()).contains("task1");
        assertThat(r.parallelGroups()).isEqualTo(p.parallelGroups());
    }

    @Test
    void sameGroupAsDependencyIsGroupOrder() {
        Plan p = orderPlan().withParallelGroups(List.of(List.of("task1", "task2", "task3")));
        assertThat(codes(PlanValidator.defaults().validate(p)))
                .containsExactly(ValidationCode.GROUP_ORDER, ValidationCode.GROUP_ORDER);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Plan p = Plan.of(List.of(
                Task.of("a", "s", Map.of("x", "$ghost")),
                Task.of("a", "s", Map.of()),
                new Task("b c", null, Map.of("y", "$"), null)), List.of());
        assertThat(codes(PlanValidator.defaults().validate(p))).containsExactlyInAnyOrder(
                ValidationCode.DANGLING_REFERENCE, ValidationCode.DUPLICATE_TASK_ID, ValidationCode.INVALID_TASK_ID,
                ValidationCode.MISSING_SERVICE, ValidationCode.INVALID_REFERENCE);
    }

    @Test
    void tooManyTasks() {
        Plan.Builder b = Plan.builder();
        for (int i = 0; i < 6; i++) {
            b.task("t" + i, "s", Map.of());
        }
        PlanValidator v = PlanValidator.builder().limits(ValidationLimits.builder().maxTasks(5).build()).build();
        ValidationResult r = v.validate(b.build());
        assertThat(codes(r)).containsExactly(ValidationCode.LIMIT_EXCEEDED);
        assertThat(r.errors().get(0).message()).contains("6 tasks").contains("5");
    }

    @Test
    void tooDeepAndTooLong() {
        Object deep = "leaf";
        for (int i = 0; i < 100; i++) {
            deep = List.of(deep);
        }
        Plan p = Plan.builder().params(Map.of("long", "y".repeat(50)))
                .task("a", "s", Map.of("deep", deep, "long", "x".repeat(50), "k".repeat(60), 1)).build();
        PlanValidator v = PlanValidator.builder()
                .limits(ValidationLimits.builder().maxStringLength(40).maxDepth(10).build()).build();
        ValidationResult r = v.validate(p);
        assertThat(codes(r)).containsOnly(ValidationCode.LIMIT_EXCEEDED).hasSize(4);
        assertThat(r.errors()).extracting(ValidationError::path).contains("/tasks/0/input/long", "/tasks/1/input/long");
        // default depth 64 also stops the 100 levels
        assertThat(codes(PlanValidator.defaults().validate(p))).containsExactly(ValidationCode.LIMIT_EXCEEDED);
    }

    @Test
    void theTaskLimitCountsExecutableTasksWhereverTask0Stands() {
        PlanValidator v = PlanValidator.builder().limits(ValidationLimits.builder().maxTasks(2).build()).build();
        Task params = new Task("task0", null, Map.of("x", 1), null);
        Task a = Task.of("a", "s", Map.of("x", "$task0.x"));
        Task b = Task.of("b", "s", Map.of());
        assertThat(v.validate(Plan.of(List.of(params, a, b), List.of())).errors()).isEmpty();
        assertThat(v.validate(Plan.of(List.of(a, b, params), List.of())).errors()).isEmpty();
        assertThat(codes(v.validate(Plan.of(List.of(a, b, Task.of("c", "s", Map.of()), params), List.of()))))
                .containsExactly(ValidationCode.LIMIT_EXCEEDED);
        assertThat(codes(v.validate(Plan.of(List.of(a, b, Task.of("c", "s", Map.of())), List.of()))))
                .containsExactly(ValidationCode.LIMIT_EXCEEDED);
    }

    @Test
    void limitsAreCheckedAsTheyAreSet() {
        assertThatThrownBy(() -> ValidationLimits.builder().maxTasks(0)).hasMessageContaining("maxTasks");
        assertThatThrownBy(() -> ValidationLimits.builder().maxDepth(-1)).hasMessageContaining("maxDepth");
        assertThatThrownBy(() -> ValidationLimits.builder().maxPlanBytes(0)).hasMessageContaining("maxPlanBytes");
        assertThatThrownBy(() -> ValidationLimits.builder().maxStringLength(0)).hasMessageContaining("maxStringLength");
        assertThatThrownBy(() -> ValidationLimits.builder().maxDepth(901)).hasMessageContaining("900");
        assertThatThrownBy(() -> new ValidationLimits(1, 901, 1, 1)).hasMessageContaining("900");
        assertThat(ValidationLimits.builder().maxDepth(900).build().maxDepth()).isEqualTo(900);
        assertThat(ValidationLimits.defaults().maxTasks()).isEqualTo(100_000);
        assertThat(ValidationLimits.builder().maxPlanBytes(10).build().maxPlanBytes()).isEqualTo(10);
    }

    @Test
    void unknownOutputField() {
        Map<String, Object> closed = Map.of("type", "object", "additionalProperties", false,
                "properties", Map.of("id", Map.of("type", "string"),
                        "items", Map.of("type", "array", "items", Map.of("type", "object", "additionalProperties", false,
                                "properties", Map.of("sku", Map.of())))));
        ServiceCatalog catalog = ServiceCatalog.of(
                ServiceDescriptor.builder("producer").outputSchema(closed).build(),
                ServiceDescriptor.builder("open").outputSchema(Map.of("type", "object")).build(),
                ServiceDescriptor.of("consumer"));
        Plan p = Plan.builder()
                .task("p", "producer", Map.of())
                .task("o", "open", Map.of())
                .task("c", "consumer", Map.of("ok", "$p.id", "bad", "$p.name", "deepOk", "$p.items[0].sku",
                        "deepBad", "$p.items[1].price", "open", "$o.anything", "whole", "$p"))
                .build();
        ValidationResult r = PlanValidator.builder().catalog(catalog).build().validate(p);
        assertThat(codes(r)).containsOnly(ValidationCode.UNKNOWN_OUTPUT_FIELD).hasSize(2);
        assertThat(r.errors()).extracting(ValidationError::path)
                .containsExactlyInAnyOrder("/tasks/2/input/bad", "/tasks/2/input/deepBad");
        assertThat(r.errors()).anySatisfy(e -> assertThat(e.message()).contains("'name'"));
    }

    @Test
    void schemaViolationsSkipReferencedValues() {
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("amount", "currency", "note"),
                "properties", Map.of("amount", Map.of("type", "number"), "currency", Map.of("type", "string")));
        ServiceCatalog catalog = ServiceCatalog.of(ServiceDescriptor.builder("pay").inputSchema(schema).build(),
                ServiceDescriptor.of("src"));
        Plan p = Plan.builder()
                .task("src", "src", Map.of())
                .task("pay", "pay", Map.of("amount", "$src.total", "currency", 12))
                .build();
        ValidationResult r = PlanValidator.builder().catalog(catalog).schemaChecker(new TinySchemaChecker()).build().validate(p);
        assertThat(r.errors()).extracting(ValidationError::code, ValidationError::path).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(ValidationCode.SCHEMA_VIOLATION, "/tasks/1/input"),
                org.assertj.core.groups.Tuple.tuple(ValidationCode.SCHEMA_VIOLATION, "/tasks/1/input/currency"));
        assertThat(r.errors()).anySatisfy(e -> assertThat(e.message()).contains("note"));
        // without a checker the same plan is valid
        assertThat(PlanValidator.builder().catalog(catalog).build().validate(p).isValid()).isTrue();
    }

    @Test
    void invalidInputSchemaIsReportedOnce() {
        Map<String, Object> broken = Map.of("type", 42);
        ServiceCatalog catalog = ServiceCatalog.of(ServiceDescriptor.builder("s").inputSchema(broken).build());
        Plan p = Plan.builder().task("a", "s", Map.of()).task("b", "s", Map.of()).build();
        ValidationResult r = PlanValidator.builder().catalog(catalog).schemaChecker(new TinySchemaChecker()).build().validate(p);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.SCHEMA_VIOLATION);
            assertThat(e.message()).contains("input schema of service 's' is invalid");
            assertThat(e.path()).isEqualTo("/tasks/0/service");
        });
    }

    @Test
    void invalidOutputSchemaIsReportedOnceAndNotUsedForReferencePaths() {
        Map<String, Object> broken = Map.of("type", 42, "additionalProperties", false,
                "properties", Map.of("total", Map.of()));
        ServiceCatalog catalog = ServiceCatalog.of(
                ServiceDescriptor.builder("src").outputSchema(broken).build(), ServiceDescriptor.of("use"));
        Plan p = Plan.builder()
                .task("a", "src", Map.of())
                .task("b", "src", Map.of())
                .task("c", "use", Map.of("x", "$a.missing"))
                .build();
        ValidationResult r = PlanValidator.builder().catalog(catalog).schemaChecker(new TinySchemaChecker()).build()
                .validate(p);
        // one error for the schema, at the first task calling the service; no UNKNOWN_OUTPUT_FIELD derived from it
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.SCHEMA_VIOLATION);
            assertThat(e.message()).contains("output schema of service 'src' is invalid");
            assertThat(e.taskId()).isEqualTo("a");
            assertThat(e.path()).isEqualTo("/tasks/0/service");
        });
        // without a checker the schema is not judged, and the closed schema's properties are
        ValidationResult unchecked = PlanValidator.builder().catalog(catalog).build().validate(p);
        assertThat(unchecked.errors()).extracting(ValidationError::code)
                .containsExactly(ValidationCode.UNKNOWN_OUTPUT_FIELD);
    }

    @Test
    void resultAndErrorValues() {
        ValidationError e = new ValidationError(ValidationCode.CYCLE, null, null, "m");
        assertThat(e.path()).isEmpty();
        assertThat(e.toString()).isEqualTo("CYCLE at /: m");
        assertThat(new ValidationError(ValidationCode.CYCLE, "a", "/x", "m").toString()).isEqualTo("CYCLE at /x (a): m");
        ValidationResult r = ValidationResult.invalid(List.of(e));
        assertThat(r.isValid()).isFalse();
        assertThat(r.toString()).contains("1 errors");
        assertThatThrownBy(() -> ValidationResult.invalid(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(new SchemaViolation(null, "x").pointer()).isEmpty();
        PlanValidator v = PlanValidator.builder().catalog(ServiceCatalog.empty()).schemaChecker(new TinySchemaChecker()).build();
        assertThat(v.catalog()).isPresent();
        assertThat(v.schemaChecker()).isPresent();
        assertThat(v.limits()).isEqualTo(ValidationLimits.defaults());
        assertThat(PlanValidator.defaults().catalog()).isEmpty();
    }

    @Test
    void aHundredThousandTasksValidateQuickly() {
        Plan p = RandomPlans.layered(100_000, 3, 42L);
        PlanValidator v = PlanValidator.defaults();
        v.validate(p); // warm up
        long start = System.nanoTime();
        ValidationResult r = v.validate(p);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.isValid()).as(r.errors().toString()).isTrue();
        assertThat(r.graph().orElseThrow().size()).isEqualTo(100_000);
        // well under a second on a quiet machine (see the JMH figures); this bound only catches quadratic blow-ups on
        // a shared, heavily loaded build machine
        assertThat(millis).as("validation took %d ms", millis).isLessThan(15_000);
    }

    @Test
    void longChainDoesNotRecurse() {
        Plan.Builder b = Plan.builder();
        b.task("t0", "s", Map.of());
        for (int i = 1; i < 100_000; i++) {
            b.task("t" + i, "s", Map.of("prev", "$t" + (i - 1)));
        }
        ValidationResult ok = PlanValidator.defaults().validate(b.build());
        assertThat(ok.criticalPathLength()).isEqualTo(100_000);
        // close the chain: one cycle through every task
        List<Task> tasks = new ArrayList<>(b.build().tasks());
        tasks.set(0, Task.of("t0", "s", Map.of("last", "$t99999")));
        ValidationResult cyc = PlanValidator.defaults().validate(Plan.of(tasks, List.of()));
        assertThat(cyc.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.CYCLE);
            assertThat(e.message()).contains("(100000 tasks)");
        });
    }

    /** A toy checker: type, required and properties, enough to test the validator's filtering. */
    static final class TinySchemaChecker implements SchemaChecker {
        @Override
        public List<SchemaViolation> validate(Map<String, Object> schema, Object value) {
            List<SchemaViolation> out = new ArrayList<>();
            check(schema, value, "", out);
            return out;
        }

        @SuppressWarnings("unchecked")
        private void check(Map<String, Object> schema, Object value, String ptr, List<SchemaViolation> out) {
            Object type = schema.get("type");
            if (type != null && !typeMatches((String) type, value)) {
                out.add(new SchemaViolation(ptr, "expected " + type));
                return;
            }
            if (value instanceof Map<?, ?> m) {
                for (Object req : (List<Object>) schema.getOrDefault("required", List.of())) {
                    if (!m.containsKey(req)) {
                        out.add(new SchemaViolation(ptr, "required property '" + req + "' is missing"));
                    }
                }
                Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
                for (Map.Entry<String, Object> e : props.entrySet()) {
                    if (m.containsKey(e.getKey())) {
                        check((Map<String, Object>) e.getValue(), m.get(e.getKey()), ptr + "/" + e.getKey(), out);
                    }
                }
            }
        }

        private static boolean typeMatches(String type, Object v) {
            return switch (type) {
                case "object" -> v instanceof Map;
                case "string" -> v instanceof String;
                case "number" -> v instanceof Number;
                default -> true;
            };
        }

        @Override
        public List<String> checkSchema(Map<String, Object> schema) {
            return schema.get("type") instanceof String || schema.get("type") == null ? List.of() : List.of("type must be a string");
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void repeatedReferenceTextIsJudgedAtEverySite() {
        // one reference text shared by many tasks is parsed once per run; each site must still get its own verdict
        Plan p = Plan.builder()
                .params(Map.of("orderId", "ORD1"))
                .task("b", "s", Map.of("x", "$a.v", "y", "$task0.nope", "z", "$ghost", "w", "$bad..v"))
                .task("a", "s", Map.of("x", "$a.v", "y", "$task0.nope", "z", "$ghost", "w", "$bad..v"))
                .task("c", "s", Map.of("x", "$a.v", "y", "$task0.orderId"))
                .task("d", "s", Map.of("x", "$c.v", "y", "$task0.orderId"))
                .task("e", "s", Map.of("x", "$c.v"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).extracting(ValidationError::code, ValidationError::taskId, ValidationError::path)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.DANGLING_REFERENCE, "b", "/tasks/1/input/y"),
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.DANGLING_REFERENCE, "b", "/tasks/1/input/z"),
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.INVALID_REFERENCE, "b", "/tasks/1/input/w"),
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.SELF_REFERENCE, "a", "/tasks/2/input/x"),
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.DANGLING_REFERENCE, "a", "/tasks/2/input/y"),
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.DANGLING_REFERENCE, "a", "/tasks/2/input/z"),
                        org.assertj.core.groups.Tuple.tuple(ValidationCode.INVALID_REFERENCE, "a", "/tasks/2/input/w"));
        List<String> messages = r.errors().stream().map(ValidationError::message).toList();
        assertThat(messages).filteredOn(m -> m.contains("$ghost")).hasSize(2);
        assertThat(messages).filteredOn(m -> m.contains("have no '$task0.nope'")).hasSize(2);
        // the same text from the producer itself is a self-reference, from the others an edge
        Plan ok = Plan.builder()
                .task("c", "s", Map.of("x", "$a.v"))
                .task("a", "s", Map.of())
                .task("d", "s", Map.of("x", "$a.v"))
                .build();
        PlanGraph g = PlanValidator.defaults().validate(ok).graph().orElseThrow();
        assertThat(g.dependencies(0)).containsExactly(1);
        assertThat(g.dependencies(2)).containsExactly(1);
        assertThat(g.references(0).get(0).reference()).isEqualTo(g.references(2).get(0).reference());
    }
}
